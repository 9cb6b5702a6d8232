using Cord19.Core.Deployments;
using Cord19.Core.Live;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;

namespace Cord19.Core.Costs;

/// <summary>
/// Prices the current deployment once per tick (one computation per deployment, however many pages are
/// open), publishes the snapshot to every page, and shows it to the budget guard.
/// </summary>
public sealed class CostMeterService(
    DeploymentStore store,
    SettingsStore settingsStore,
    IDeploymentFeed deploymentChanges,
    BudgetGuard guard,
    TimeProvider clock,
    LiveSpotPrices spotPrices,
    InstanceProcessingForecasts instanceForecasts)
{
    /// <summary>
    /// Another instance's changes are not on this process's feed: re-read at least this often anyway
    /// (PostgreSQL deployments with several panels).
    /// </summary>
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(30);

    private readonly Broadcast<CostSnapshot> _feed = new(perSubscriberCapacity: 4);
    private (long Changes, DateTime At, (Deployment Deployment, IReadOnlyList<PhaseRun> Runs)? Current, PipelineSettings Settings)? _loaded;

    public CostSnapshot Latest { get; private set; } = CostSnapshot.None(clock.GetUtcNow().UtcDateTime);

    /// <summary>Snapshots published after the call: about one a second.</summary>
    public IAsyncEnumerable<CostSnapshot> WatchAsync(CancellationToken ct) => _feed.WatchAsync(ct);

    public async Task<CostSnapshot> TickAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // The deployment and the settings change only through this process's stores, which publish on the
        // feed: read them again when something was published, not every second.
        var changes = deploymentChanges.Published;
        if (_loaded is not { } loaded || loaded.Changes != changes || now - loaded.At >= MaxStaleness)
        {
            var read = await store.GetWithRunsAsync(ct: ct);
            var planned = await settingsStore.GetAsync(ct);
            // The planned total goes by phase 6's time measured on the AWS instance once phase 5 has run there.
            if (read is { } found) planned = await instanceForecasts.WithMeasuredHoursAsync(planned, found.Deployment, found.Runs, ct);
            _loaded = loaded = (changes, now, read, planned);
        }
        var (current, settings) = (loaded.Current, loaded.Settings);
        var snapshot = current is { } c ? Measure(c.Deployment, c.Runs, settings, now, spotPrices.Get(c.Deployment.Id)) : CostSnapshot.None(now);

        if (current is { } d)
            await guard.CheckAsync(d.Deployment, d.Runs, snapshot, ct);

        Latest = snapshot;
        _feed.Publish(snapshot);
        return snapshot;
    }

    /// <summary>The cost of any deployment at <paramref name="at"/>: the meter, the history charts and past deployments use this one function.</summary>
    /// <param name="spotPrices">The live spot price history of each instance (by its ledger entry), where the AWS target has read it.</param>
    public static CostSnapshot Measure(Deployment deployment, IReadOnlyList<PhaseRun> runs, PipelineSettings settings, DateTime at, IReadOnlyDictionary<Guid, SpotPriceHistory>? spotPrices = null)
    {
        var resources = DeploymentMeters.At(deployment, runs, at, spotPrices);
        var plannedEnd = deployment.CreatedAt.AddHours(settings.ExpectedPhaseHours.Sum());
        var ended = deployment.EndedAt is { } end && end <= at;
        PriceBook prices;
        try
        {
            prices = settings.Prices();
        }
        catch (PriceBookException ex)
        {
            prices = PriceBook.Unreadable(ex);
        }
        var snapshot = CostMeter.Measure(deployment.Id, deployment.CreatedAt, ended, isAwsEquivalent: deployment.Target == DeploymentTarget.Local,
            resources, prices, at, plannedEnd, settings.BudgetCapUsd, Execution.DeploymentPinning.Pin(deployment, runs, settings).MaxLifetimeHours);
        return OtherRegion(deployment, prices, resources) is { } warning ? snapshot with { Warnings = [.. snapshot.Warnings, warning] } : snapshot;
    }

    /// <summary>
    /// A deployment on AWS in another region than the price book's is billed at that region's rates, which the price book
    /// does not hold (Redshift's nodes and storage, EBS, S3 differ from region to region); only the live spot price is the
    /// deployment's own. The local target prices what it would cost in the price book's region, so it is not warned.
    /// </summary>
    private static string? OtherRegion(Deployment deployment, PriceBook prices, IReadOnlyList<MeteredResource> resources) =>
        prices.Problem is null && deployment.Target == DeploymentTarget.Aws && deployment.Region is { } region && region != prices.Region
        && resources.Any(r => r.PriceHistory is not { Count: > 0 })
            ? $"The price book holds {prices.Region}'s prices, and this deployment runs in {region}, whose rates may differ: every line but the live " +
              $"spot price is priced as in {prices.Region}. {PriceBook.RatesFix(region)}"
            : null;
}
