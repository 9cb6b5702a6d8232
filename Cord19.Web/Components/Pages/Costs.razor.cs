using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Web.Model;
using Microsoft.AspNetCore.Components;
using Vizor.ECharts;

namespace Cord19.Web.Components.Pages;

/// <summary>Live meters, their history, past deployments and the estimate before deploying.</summary>
public sealed partial class Costs : LiveComponent
{
    private const int HistoryPoints = 60;
    private static readonly TimeSpan ChartRefresh = TimeSpan.FromSeconds(30);

    private CostSnapshot _snapshot = CostSnapshot.None(DateTime.UtcNow);
    private IReadOnlyList<CostEstimate.PhaseEstimate> _estimates = [];
    private string? _estimateProblem;
    private ChartOptions? _cumulative;
    private ChartOptions? _spot;
    private ChartOptions? _past;
    private string? _spotNote;
    private int _chartsVersion;
    private DateTime _chartsAt;

    [Inject] public required CostMeterService Meter { get; init; }
    [Inject] public required DeploymentStore Deployments { get; init; }
    [Inject] public required SettingsStore Settings { get; init; }
    [Inject] public required TimeProvider Clock { get; init; }
    [Inject] public required LiveSpotPrices SpotPrices { get; init; }

    private string Title => _snapshot.DeploymentId is null ? "Costs"
        : _snapshot.IsAwsEquivalent ? $"This deployment would have cost {Usd(_snapshot.Accrued)} on AWS so far"
        : $"This deployment has cost {Usd(_snapshot.Accrued)} so far";

    private IEnumerable<(string Label, string Value, string TestId)> Figures =>
    [
        ("Accrued", Usd(_snapshot.Accrued), "cost-accrued"),
        ("Burn rate", $"{Usd(_snapshot.BurnRatePerHour)}/h", "cost-burn"),
        ("Projected for the planned run", Usd(_snapshot.Projected), "cost-projected"),
        ("Budget used", _snapshot.Budget.CapUsd is null && _snapshot.Budget.MaxLifetimeHours is null ? "no limit"
            : $"{_snapshot.Budget.Fraction:P0} of {Limits(_snapshot.Budget)}", "cost-budget"),
    ];

    protected override async Task OnInitializedAsync()
    {
        _snapshot = Meter.Latest;
        // The meter publishes about once a second: rendered as it comes.
        Subscribe(Meter.WatchAsync, OnSnapshotAsync, TimeSpan.Zero);
        await RefreshChartsAsync();
    }

    private async Task OnSnapshotAsync(CostSnapshot snapshot)
    {
        var deploymentChanged = snapshot.DeploymentId != _snapshot.DeploymentId;
        _snapshot = snapshot;
        if (deploymentChanged || Clock.GetUtcNow().UtcDateTime - _chartsAt > ChartRefresh) await RefreshChartsAsync();
    }

    private async Task RefreshChartsAsync()
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        _chartsAt = now;
        var settings = await Settings.GetAsync(Stopping);
        try
        {
            _estimates = CostEstimate.ForPhases(settings, settings.Prices());
            _estimateProblem = null;
        }
        catch (PriceBookException ex)
        {
            _estimateProblem = ex.Message;
        }

        var deployments = await Deployments.ListWithRunsAsync(newest: 20, Stopping);
        var past = deployments.AsEnumerable().Reverse()
            .Select(d => ($"{d.Deployment.CreatedAt.ToLocalTime():MM-dd HH:mm}",
                CostMeterService.Measure(d.Deployment, d.Runs, settings, d.Deployment.EndedAt ?? now).Accrued))
            .ToList();
        _past = past.Count > 0 ? CostCharts.PastDeployments(past) : null;

        _cumulative = _spot = null;
        var live = deployments.FirstOrDefault() is { Deployment: not null } newest ? SpotPrices.Get(newest.Deployment.Id)?.History : null;
        if (deployments.FirstOrDefault() is { Deployment: not null } current && DeploymentMeters.At(current.Deployment, current.Runs, current.Deployment.EndedAt ?? now, live) is { Count: > 0 } resources)
        {
            var from = resources.Min(r => r.Periods.Min(p => p.Start));
            var to = current.Deployment.EndedAt ?? now;
            var samples = Enumerable.Range(0, HistoryPoints + 1)
                .Select(i => from + (to - from) * i / HistoryPoints)
                .Select(t => CostMeterService.Measure(current.Deployment, current.Runs, settings, t, live))
                .ToList();
            _cumulative = CostCharts.Cumulative(samples);

            var instance = resources.First(r => r.Kind == MeterKind.Ec2Instance);
            var price = settings.PricesOrNull()?.Find(instance.PriceKey);
            if (price is not null)
            {
                _spot = CostCharts.SpotPrice(instance.PriceHistory ?? [new PricePoint(from, price.Usd)], from, to, settings.SpotMaxPricePerHour);
                _spotNote = instance.PriceHistory is null
                    ? $"From the price book ({price.Source}, {price.AsOf:yyyy-MM-dd}): the local target has no live spot price history."
                    : "From DescribeSpotPriceHistory for the instance's availability zone.";
            }
        }
        _chartsVersion++;
    }

    private static string Limits(BudgetStatus b) => string.Join(" or ", new[]
    {
        b.CapUsd is { } cap ? $"${cap:0.00}" : null,
        b.MaxLifetimeHours is { } h ? $"{h:0.#} h" : null,
    }.OfType<string>());

    private static string Usd(decimal? value) => value is { } v ? Controls.CostMeterBadge.Usd(v) : "unknown";
}
