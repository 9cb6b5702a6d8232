using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;

namespace Cord19.Core.Costs;

/// <summary>
/// What the costs of the deployments were over time, for the Costs page and GET /api/costs/history: the estimate
/// before deploying, the cost of each recent deployment, the current one's cost sampled along its life, and the
/// spot price it paid (live from AWS, or the price book's locally).
/// </summary>
/// <param name="EstimateCaveat">What the estimate cannot know, in words for the page: the price book is another region's.</param>
/// <param name="PastDeployments">Oldest first.</param>
/// <param name="Cumulative">The current deployment's cost at evenly spaced moments from its first resource to now (or its end).</param>
public sealed record CostHistory(
    IReadOnlyList<CostEstimate.PhaseEstimate> Estimates,
    string? EstimateProblem,
    string? EstimateCaveat,
    IReadOnlyList<PastDeploymentCost> PastDeployments,
    IReadOnlyList<CostSnapshot> Cumulative,
    SpotPriceSeries? Spot);

/// <param name="Usd">Null when a price is missing.</param>
public sealed record PastDeploymentCost(Guid DeploymentId, DateTime CreatedAt, decimal? Usd, DeploymentTarget Target);

/// <param name="Source">Where the prices come from, in words for the page.</param>
public sealed record SpotPriceSeries(IReadOnlyList<PricePoint> Points, DateTime From, DateTime To, decimal MaxPricePerHour, string Source);

public sealed class CostHistoryReader(DeploymentStore store, SettingsStore settingsStore, LiveSpotPrices spotPrices, TimeProvider clock,
    InstanceProcessingForecasts instanceForecasts)
{
    private const int Samples = 60;
    private const int RecentDeployments = 20;

    public async Task<CostHistory> ReadAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var settings = await settingsStore.GetAsync(ct);
        IReadOnlyList<CostEstimate.PhaseEstimate> estimates = [];
        string? estimateProblem = null;
        string? estimateCaveat = null;
        try
        {
            var prices = settings.Prices();
            estimates = CostEstimate.ForPhases(await instanceForecasts.WithMeasuredHoursAsync(settings, ct), prices);
            estimateCaveat = CostEstimate.OtherRegion(settings, prices);
        }
        catch (PriceBookException ex)
        {
            estimateProblem = ex.Message;
        }

        var deployments = await store.ListWithRunsAsync(newest: RecentDeployments, ct);
        var past = deployments.AsEnumerable().Reverse()
            .Select(d => new PastDeploymentCost(d.Deployment.Id, d.Deployment.CreatedAt,
                CostMeterService.Measure(d.Deployment, d.Runs, settings, d.Deployment.EndedAt ?? now).Accrued, d.Deployment.Target))
            .ToList();

        if (deployments.Count == 0)
            return new CostHistory(estimates, estimateProblem, estimateCaveat, past, [], null);
        var current = deployments[0];
        var live = spotPrices.Get(current.Deployment.Id);
        var to = current.Deployment.EndedAt ?? now;
        if (DeploymentMeters.At(current.Deployment, current.Runs, to, live) is not { Count: > 0 } resources)
            return new CostHistory(estimates, estimateProblem, estimateCaveat, past, [], null);

        var from = resources.Min(r => r.Periods.Min(p => p.Start));
        var cumulative = Enumerable.Range(0, Samples + 1)
            .Select(i => from + (to - from) * i / Samples)
            .Select(t => CostMeterService.Measure(current.Deployment, current.Runs, settings, t, live))
            .ToList();

        SpotPriceSeries? spot = null;
        // The latest instance's: a replacement's, once a spot interruption ended the first.
        var instance = resources.Where(r => r.Kind == MeterKind.Ec2Instance).MaxBy(r => r.Periods.Max(p => p.Start))!;
        if (settings.PricesOrNull()?.Find(instance.PriceKey) is { } price)
            spot = instance.PriceHistory is null
                ? new([new PricePoint(from, price.Usd)], from, to, settings.SpotMaxPricePerHour,
                    $"From the price book ({price.Source.TrimEnd('.')}, {price.AsOf:yyyy-MM-dd}): " + (current.Deployment.Target == DeploymentTarget.Aws
                        ? "EC2 has given no spot price history for the instance's zone yet (the panel asks for it every 5 minutes)."
                        : "the local target has no live spot price history."))
                : new(instance.PriceHistory, from, to, settings.SpotMaxPricePerHour, "From DescribeSpotPriceHistory for the instance's availability zone.");
        return new CostHistory(estimates, estimateProblem, estimateCaveat, past, cumulative, spot);
    }
}
