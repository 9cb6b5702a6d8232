using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Live;
using Cord19.Core.Settings;

namespace Cord19.Web.ServiceClient;

public sealed class DeploymentClient(DeploymentStore store, IDeploymentFeed feed, PhaseService phases, SettingsStore settings, DeallocationPlanner planner, ProcessingEstimator processing) : IDeploymentClient
{
    public Task<DeploymentSnapshot> GetSnapshotAsync(CancellationToken ct) => store.GetSnapshotAsync(ct);
    public Task<IReadOnlyList<LogLine>> GetLogAsync(Guid runId, CancellationToken ct) => store.GetLogAsync(runId, ct);
    public IAsyncEnumerable<DeploymentChange> WatchAsync(CancellationToken ct) => feed.WatchAsync(ct);
    public Task<RunRequestOutcome> RequestRunAsync(RunRequest request, CancellationToken ct) => phases.RequestAsync(request, ct);
    public Task<DeallocationPlan?> PlanDeallocationAsync(CancellationToken ct) => planner.PlanAsync(ct);

    public async Task<ProcessingForecast?> GetProcessingForecastAsync(CancellationToken ct) =>
        (await settings.GetAsync(ct)).Target == DeploymentTarget.Local ? await processing.ForecastAsync(ct) : null;

    public async Task<IReadOnlyList<CostEstimate.PhaseEstimate>> GetEstimatesAsync(CancellationToken ct)
    {
        var s = await settings.GetAsync(ct);
        return s.PricesOrNull() is { } prices ? CostEstimate.ForPhases(s, prices) : [];
    }
}
