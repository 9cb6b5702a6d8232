using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Live;

namespace Cord19.Web.ServiceClient;

/// <summary>What pages know of deployments: a snapshot, then a stream of changes; and the one command, run a phase.</summary>
public interface IDeploymentClient
{
    Task<DeploymentSnapshot> GetSnapshotAsync(CancellationToken ct);
    Task<IReadOnlyList<LogLine>> GetLogAsync(Guid runId, CancellationToken ct);
    IAsyncEnumerable<DeploymentChange> WatchAsync(CancellationToken ct);
    Task<RunRequestOutcome> RequestRunAsync(RunRequest request, CancellationToken ct);

    /// <summary>
    /// Has the state database compile, in the background, what the first <see cref="RequestRunAsync"/> and the
    /// pages' reload after it need; once per process, when a page with the phases' buttons is first shown.
    /// </summary>
    void PrepareForRunRequests();

    /// <summary>De-allocation's dry run for the live deployment (null when none); on AWS it includes the tag sweep.</summary>
    Task<Cord19.Core.Execution.DeallocationPlan?> PlanDeallocationAsync(CancellationToken ct);

    /// <summary>Phase 6's time and memory on this machine (local target), from the latest corpus and the runs measured; null when unknown.</summary>
    Task<Cord19.Core.Execution.ProcessingForecast?> GetProcessingForecastAsync(CancellationToken ct);

    /// <summary>What each phase would cost on AWS for the current settings; empty when the prices cannot be read.</summary>
    Task<IReadOnlyList<CostEstimate.PhaseEstimate>> GetEstimatesAsync(CancellationToken ct);
}
