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
/// cancelled stays cancelled. A trip whose request for phase 7 was refused (a race lost to another phase's start, the
/// state database gone at that moment) or never made (the panel stopped in between) is asked for the same way.
/// </summary>
public sealed class BudgetGuard(DeploymentStore store, PhaseService phases, TimeProvider clock, ILogger<BudgetGuard> logger)
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMinutes(10);
    public const int Retries = 6;

    /// <summary>What the runs it asks for are requested by, first and again.</summary>
    public const string Requester = "the budget guard";

    /// <summary>What the runs it asks for again are requested by; their count is how many retries were made.</summary>
    public const string RetryRequester = Requester + ", again";

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
        else if (WhyAskAgain(deployment, runs) is not null && RetriesMade(runs) < Retries)
        {
            await RetryAsync(deployment.Id, ct);
        }
    }

    private async Task FireAsync(Deployment deployment, CostSnapshot snapshot, CancellationToken ct)
    {
        var reason = $"{Requester}: {snapshot.Budget.Message}";
        if (!await store.TryTripBudgetGuardAsync(deployment.Id, reason, ct)) return;
        logger.LogWarning("Budget guard fired for deployment {DeploymentId}: {Reason}", deployment.Id, snapshot.Budget.Message);
        await RequestDeallocationAsync(reason, ct);
    }

    private async Task RetryAsync(Guid deploymentId, CancellationToken ct)
    {
        // The meter's copy of the runs may be a tick old: read them again, so that one failure is retried once.
        if (await store.GetWithRunsAsync(deploymentId, ct) is not { Deployment: { HasEnded: false } deployment, Runs: var runs }
            || WhyAskAgain(deployment, runs) is not { } why)
            return;
        var retries = RetriesMade(runs);
        if (retries >= Retries) return;
        if (retries == Retries - 1)
            logger.LogError("The budget guard asks for phase 7 of deployment {DeploymentId} a last time ({Retries} of {Retries}); if it fails again " +
                "({Reason}), run phase 7 once that is dealt with.", deploymentId, Retries, Retries, why);
        await RequestDeallocationAsync($"{RetryRequester} ({retries + 1} of {Retries}), as {why}", ct);
    }

    private static int RetriesMade(IReadOnlyList<PhaseRun> runs) =>
        runs.Count(r => r.PhaseNumber == Phase.Deallocation && r.RequestedBy?.StartsWith(RetryRequester, StringComparison.Ordinal) == true);

    /// <summary>
    /// Why phase 7 is to be asked for again, at least <see cref="RetryInterval"/> after the guard fired or the latest one
    /// ended; null when it is not. The latest failed or was cut off (not cancelled); or none was asked for since the trip:
    /// not by the guard (its request was refused, or never made), nor by anyone since.
    /// </summary>
    private string? WhyAskAgain(Deployment deployment, IReadOnlyList<PhaseRun> runs)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var deallocations = runs.Where(r => r.PhaseNumber == Phase.Deallocation).ToList();
        if (deployment.GuardTrippedAt is { } tripped
            && !deallocations.Any(r => r.RequestedAt >= tripped || r.Status == PhaseStatus.Running
                || r.RequestedBy?.StartsWith(Requester, StringComparison.Ordinal) == true))
            return now - tripped >= RetryInterval ? "phase 7 was not started when the guard fired" : null;
        return deallocations.MaxBy(r => r.RequestedAt) is { EndedAt: { } endedAt } last
            && (last.Status == PhaseStatus.Failed || last is { Status: PhaseStatus.Interrupted } && last.Reason != PhaseRunner.CancelledReason)
            && now - endedAt >= RetryInterval
                ? $"phase 7 did not finish: {last.Reason}"
                : null;
    }

    private async Task RequestDeallocationAsync(string requestedBy, CancellationToken ct)
    {
        var outcome = await phases.RequestAsync(new RunRequest(Phase.Deallocation, RequestedBy: requestedBy), ct);
        if (!outcome.Accepted)
            logger.LogError("The budget guard could not start de-allocation: {Refusal}", outcome.Refusal);
    }
}
