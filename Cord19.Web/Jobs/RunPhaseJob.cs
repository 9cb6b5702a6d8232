using Cord19.Core.Execution;
using Hangfire;

namespace Cord19.Web.Jobs;

/// <summary>The Hangfire entry point for a phase run.</summary>
public sealed class RunPhaseJob(PhaseRunner runner)
{
    // No automatic retry: a phase that failed says why, and the user decides to re-run or resume it.
    // Hangfire's token fires when the server stops, which the runner records as an interruption.
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("Phase run {0}")]
    public Task RunAsync(Guid runId, CancellationToken cancellationToken) => runner.RunAsync(runId, cancellationToken);
}
