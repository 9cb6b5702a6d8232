using Cord19.Core.Deployments;

namespace Cord19.Core.Execution;

/// <summary>
/// Where the phases take effect: this machine ("local") or an AWS account ("aws"). A target does the work of
/// one phase; the <see cref="PhaseRunner"/> around it owns status, logging, resumption and cancellation.
/// </summary>
public interface ITarget
{
    DeploymentTarget Kind { get; }

    Task RunAsync(PhaseContext context);

    /// <summary>De-allocation's dry run: what phase 7 would delete now, from the ledger and (where the target can) its tags.</summary>
    Task<IReadOnlyList<PlannedDeletion>> PlanDeallocationAsync(Guid deploymentId, Settings.PipelineSettings settings,
        IReadOnlyList<Deployments.ResourceView> ledger, CancellationToken ct);
}
