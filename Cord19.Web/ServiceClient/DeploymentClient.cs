using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Live;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;

namespace Cord19.Web.ServiceClient;

public sealed class DeploymentClient(
    DeploymentStore store, IDeploymentFeed feed, PhaseService phases, SettingsStore settings, DeallocationPlanner planner,
    ProcessingEstimator processing, InstanceProcessingForecasts instanceForecasts, IHostApplicationLifetime lifetime,
    ILogger<DeploymentClient> logger) : IDeploymentClient
{
    private int _prepared;

    public Task<DeploymentSnapshot> GetSnapshotAsync(CancellationToken ct) => store.GetSnapshotAsync(ct);
    public Task<IReadOnlyList<LogLine>> GetLogAsync(Guid runId, CancellationToken ct) => store.GetLogAsync(runId, ct);
    public IAsyncEnumerable<DeploymentChange> WatchAsync(CancellationToken ct) => feed.WatchAsync(ct);
    public Task<RunRequestOutcome> RequestRunAsync(RunRequest request, CancellationToken ct) => phases.RequestAsync(request, ct);

    /// <remarks>
    /// Not at start, where it would share the two cores with the first visit: started with the start-up's warm-up,
    /// ./bench.sh's map_cold_ms was 1.18-1.48 s against 1.08-1.20 s without it, higher in all six alternated runs (by
    /// 4-340 ms). Shown the phases, a person reads them before clicking one. The warm-up took 1.0-1.4 s there (five runs
    /// of a probe whose two pages started their circuits beside it), most of it in the inserts; a click that comes
    /// sooner waits for it.
    /// </remarks>
    public void PrepareForRunRequests()
    {
        if (Interlocked.Exchange(ref _prepared, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await store.WarmUpAsync(lifetime.ApplicationStopping);
            }
            catch (Exception ex)
            {
                // Cut short by a stop: nothing went wrong.
                if (!lifetime.ApplicationStopping.IsCancellationRequested)
                    logger.LogInformation("The state database's writes were not compiled ahead ({Problem}); the first click will do it.", ex.Message);
            }
        });
    }

    public Task<DeallocationPlan?> PlanDeallocationAsync(CancellationToken ct) => planner.PlanAsync(ct);

    /// <summary>Phase 6's forecast where it will run: this machine's, or the live AWS deployment's instance's.</summary>
    public async Task<ProcessingForecast?> GetProcessingForecastAsync(CancellationToken ct)
    {
        var current = await settings.GetAsync(ct);
        var found = await store.GetWithRunsAsync(ct: ct);
        if (DeploymentPinning.NextPhaseTarget(found?.Deployment, current) == DeploymentTarget.Local) return await processing.ForecastAsync(ct);
        return found is var (deployment, runs) ? await instanceForecasts.CardForecastAsync(deployment, runs, current, ct) : null;
    }

    public async Task<IReadOnlyList<CostEstimate.PhaseEstimate>> GetEstimatesAsync(CancellationToken ct)
    {
        var s = await settings.GetAsync(ct);
        return s.PricesOrNull() is { } prices ? CostEstimate.ForPhases(await instanceForecasts.WithMeasuredHoursAsync(s, ct), prices) : [];
    }
}
