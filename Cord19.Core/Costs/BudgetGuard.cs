using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Microsoft.Extensions.Logging;

namespace Cord19.Core.Costs;

/// <summary>
/// De-allocates a deployment whose budget (its cost cap or its lifetime) is spent: fires once, then sees it through.
/// A phase 7 that fails after the guard fired (AWS throttling past its retries, a network outage, a resource still
/// held by another), or that a stop of the panel cut off, is asked for again every <see cref="RetryInterval"/>, up to
/// <see cref="Retries"/> times: nobody may be watching, which is why the guard exists. A phase 7 that someone
/// cancelled stays cancelled.
/// </summary>
public sealed class BudgetGuard(DeploymentStore store, PhaseService phases, TimeProvider clock, ILogger<BudgetGuard> logger)
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMinutes(10);
    public const int Retries = 6;

    /// <summary>What the runs it asks for again are requested by; their count is how many retries were made.</summary>
    public const string RetryRequester = "the budget guard, again";

    /// <summary>
    /// One look, at each meter tick: fires at a spent budget, or retries a failed de-allocation. The meter's ticks come
    /// one after the other (<c>CostMeterLoop</c>), so two looks never overlap in one process.
    /// </summary>
    public async Task CheckAsync(Deployment deployment, IReadOnlyList<PhaseRun> runs, CostSnapshot snapshot, CancellationToken ct)
    {
        if (deployment.HasEnded) return;
        if (deployment.GuardTrippedAt is null)
        {
            if (snapshot.Budget.Level == BudgetLevel.Exceeded) await FireAsync(deployment, snapshot, ct);
        }
        else if (FailedDeallocationToRetry(runs) is not null && RetriesMade(runs) < Retries)
        {
            await RetryAsync(deployment.Id, ct);
        }
    }

    private async Task FireAsync(Deployment deployment, CostSnapshot snapshot, CancellationToken ct)
    {
        var reason = $"the budget guard: {snapshot.Budget.Message}";
        if (!await store.TryTripBudgetGuardAsync(deployment.Id, reason, ct)) return;
        logger.LogWarning("Budget guard fired for deployment {DeploymentId}: {Reason}", deployment.Id, snapshot.Budget.Message);
        await RequestDeallocationAsync(reason, ct);
    }

    private async Task RetryAsync(Guid deploymentId, CancellationToken ct)
    {
        // The meter's copy of the runs may be a tick old: read them again, so that one failure is retried once.
        if (await store.GetWithRunsAsync(deploymentId, ct) is not { Deployment.HasEnded: false, Runs: var runs }
            || FailedDeallocationToRetry(runs) is not { } failed)
            return;
        var retries = RetriesMade(runs);
        if (retries >= Retries) return;
        if (retries == Retries - 1)
            logger.LogError("The budget guard asks for phase 7 of deployment {DeploymentId} a last time ({Retries} of {Retries}); if it fails again " +
                "(it ended with: {Reason}), run phase 7 once that is dealt with.", deploymentId, Retries, Retries, failed.Reason);
        await RequestDeallocationAsync($"{RetryRequester} ({retries + 1} of {Retries}), as phase 7 did not finish: {failed.Reason}", ct);
    }

    private static int RetriesMade(IReadOnlyList<PhaseRun> runs) =>
        runs.Count(r => r.PhaseNumber == Phase.Deallocation && r.RequestedBy?.StartsWith(RetryRequester, StringComparison.Ordinal) == true);

    /// <summary>The latest de-allocation, if it failed or was cut off (not cancelled) at least <see cref="RetryInterval"/> ago.</summary>
    private PhaseRun? FailedDeallocationToRetry(IReadOnlyList<PhaseRun> runs) =>
        runs.Where(r => r.PhaseNumber == Phase.Deallocation).MaxBy(r => r.RequestedAt) is { EndedAt: { } endedAt } last
        && (last.Status == PhaseStatus.Failed || last is { Status: PhaseStatus.Interrupted } && last.Reason != PhaseRunner.CancelledReason)
        && clock.GetUtcNow().UtcDateTime - endedAt >= RetryInterval
            ? last
            : null;

    private async Task RequestDeallocationAsync(string requestedBy, CancellationToken ct)
    {
        var outcome = await phases.RequestAsync(new RunRequest(Phase.Deallocation, RequestedBy: requestedBy), ct);
        if (!outcome.Accepted)
            logger.LogError("The budget guard could not start de-allocation: {Refusal}", outcome.Refusal);
    }
}
