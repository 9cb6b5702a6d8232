using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using Microsoft.Extensions.Logging;
using LogLevel = Cord19.Core.Deployments.LogLevel;

namespace Cord19.Core.Execution;

/// <summary>
/// Executes one requested run on its target and records the outcome. Called by the background job; safe to
/// call twice for the same run (the second call finds it already started and does nothing).
/// </summary>
public sealed class PhaseRunner(
    DeploymentStore store,
    IEnumerable<ITarget> targets,
    RunCancellations cancellations,
    PhaseRunnerOptions options,
    InstanceLivenessOptions liveness,
    TimeProvider clock,
    ILogger<PhaseRunner> logger)
{
    /// <summary>The reason of a run someone cancelled (or a new de-allocation replaced), as against one a stop cut off.</summary>
    public const string CancelledReason = "Cancelled.";

    /// <summary>The reason of a run the panel's own stop cut off, whether it saw the stop or found the run at its next start.</summary>
    public const string PanelStoppedReason = "The control panel stopped while this phase was running. Resume it or run it again.";

    /// <summary>
    /// The last line of a run that a de-allocation replaced while it ran (<see cref="DeploymentStore.ReplacedByDeallocationReason"/>):
    /// its runner, on whichever instance, has let go, and the de-allocation waits for this line before it deletes anything.
    /// </summary>
    public const string StoppedAfterReplacement = "Stopped: a de-allocation had replaced this run, and deletes what it made.";

    private static readonly TimeSpan WaitForCancelledRuns = TimeSpan.FromSeconds(60);

    public async Task RunAsync(Guid runId, CancellationToken hostStopping)
    {
        if (!await store.MarkStartedAsync(runId, CancellationToken.None))
        {
            logger.LogInformation("Run {RunId} is no longer waiting to start; skipped.", runId);
            return;
        }

        // Registered before the run is read: a de-allocation that replaces it from now on cancels it (RunCancellationRelay
        // on another instance), and one that came earlier shows in what is read.
        using var registration = cancellations.Register(runId, hostStopping);
        var run = (await store.FindRunAsync(runId))!;
        if (run.Status != PhaseStatus.Running) cancellations.Cancel(runId);
        var phase = Phase.Get(run.PhaseNumber);
        (PhaseStatus Status, LogLevel Level, string? Message) outcome;
        try
        {
            var settings = await PinToDeploymentAsync(run, PipelineSettings.FromJsonOrDefault(run.SettingsJson));
            var target = targets.FirstOrDefault(t => t.Kind == settings.Target)
                ?? throw new PhaseFailedException($"The '{settings.Target.Name()}' target is not available in this build; choose 'local' in Settings.");

            if (phase.IsDeallocation && !await ReplacedRunsStoppedAsync(run, registration.Token))
                await store.AppendLogAsync(run.Key, LogLevel.Warning, "phase",
                    "A cancelled phase had not stopped after a minute; de-allocating anyway.");

            if (run.RequestedBy is { } requestedBy)
                await store.AppendLogAsync(run.Key, LogLevel.Warning, "phase", $"Started by {requestedBy}");

            var resumable = run.Resume ? await store.GetResumableStepsAsync(runId) : new HashSet<string>();
            var context = new PhaseContext(phase, run, settings, store, resumable, registration.Token, options.StepDelay, hostStopping);
            await target.RunAsync(context);
            outcome = (PhaseStatus.Succeeded, LogLevel.Info, null);
        }
        catch (OperationCanceledException) when (registration.Token.IsCancellationRequested)
        {
            outcome = (PhaseStatus.Interrupted, LogLevel.Warning, hostStopping.IsCancellationRequested
                ? PanelStoppedReason
                : registration.Reason ?? CancelledReason);
        }
        catch (StateDatabaseOutOfReachException ex)
        {
            // Not the phase's failure: it could not record its progress, and resumes once the database is back.
            logger.LogWarning(ex, "Phase {Phase} run {RunId} stopped: the state database stayed out of reach.", phase.Number, runId);
            outcome = (PhaseStatus.Interrupted, LogLevel.Warning, StateDatabaseFailure.OutageReason);
        }
        catch (Cord19Exception ex)
        {
            // Bad input, refused permissions, no capacity, a missing file: the message names the cause and the fix.
            outcome = (PhaseStatus.Failed, LogLevel.Error, ex.Message);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Phase {Phase} run {RunId} failed unexpectedly.", phase.Number, runId);
            outcome = (PhaseStatus.Failed, LogLevel.Error,
                $"Unexpected error ({ex.GetType().Name}): {ex.Message.TrimEnd('.')}. The full error is in the server log; run the phase again once it is fixed.");
        }
        await RecordOutcomeAsync(run, outcome.Status, outcome.Level, outcome.Message, hostStopping);
    }

    /// <summary>
    /// Writes the outcome (its line in the log, then the run's end) once the state database takes it. The job is not run
    /// again (no automatic retry), so an end lost to a database briefly out of reach would leave the phase "Running" for
    /// ever. Only the app stopping gives up: its next start marks the run interrupted.
    /// </summary>
    private async Task RecordOutcomeAsync(PhaseRun run, PhaseStatus status, LogLevel level, string? message, CancellationToken hostStopping)
    {
        var logged = message is null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (!logged) await store.AppendLogAsync(run.Key, level, "phase", message!);
                logged = true;
                await EndAsync(run, status, message);
                return;
            }
            catch (Exception ex) when (!hostStopping.IsCancellationRequested)
            {
                if (attempt == 0)
                    logger.LogWarning(ex, "Phase {Phase} run {RunId} ended ({Status}), but the state database did not take it; trying again until it does.",
                        run.PhaseNumber, run.Id, status);
                // Again every ten tries (five minutes at least once the wait is 30 s; on PostgreSQL each try also waits out
                // the state's own retries): a database that refuses for good, not for a moment, holds one of the job workers
                // here, and one line at the start is easy to miss.
                else if (attempt % 10 == 0)
                    logger.LogError("Phase {Phase} run {RunId} has not been able to record its end ({Status}) after {Attempts} tries: {Message}. " +
                                    "It shows Running until the state database takes it; check the database.", run.PhaseNumber, run.Id, status, attempt + 1, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(attempt, 5))), clock, hostStopping);
            }
        }
    }

    /// <summary>
    /// Records the run's end, or, when it was ended already (a de-allocation replaced it; another instance took this one
    /// for silent), that its runner let go: the de-allocation waits for <see cref="StoppedAfterReplacement"/>.
    /// </summary>
    private async Task EndAsync(PhaseRun run, PhaseStatus status, string? reason)
    {
        if (await store.CompleteRunAsync(run.Id, status, reason)) return;
        var replaced = (await store.FindRunAsync(run.Id))?.Reason == DeploymentStore.ReplacedByDeallocationReason;
        await store.AppendLogAsync(run.Key, LogLevel.Info, "phase",
            replaced ? StoppedAfterReplacement : "Stopped: this run had been ended already, and its runner let go.");
    }

    /// <summary>
    /// Waits, up to a minute, until every run this de-allocation replaced has written <see cref="StoppedAfterReplacement"/>,
    /// on this instance or another (which stops it once PostgreSQL carries the change there). A run whose instance has
    /// fallen silent (<see cref="InstanceLiveness"/>) never writes it, and is not waited for; one that died more recently
    /// costs this wait. A de-allocation replaced in turn, or the panel stopping, ends the wait (<paramref name="ct"/>).
    /// </summary>
    private async Task<bool> ReplacedRunsStoppedAsync(PhaseRun deallocation, CancellationToken ct)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        foreach (var replaced in await store.FindRunsReplacedByAsync(deallocation))
        {
            // Looked at once, not at every look: one that falls silent during the wait costs at most its minute.
            if (await store.SilentSinceAsync(replaced, liveness.SilentAfter) is { } lastSeen)
            {
                await store.AppendLogAsync(deallocation.Key, LogLevel.Warning, "phase",
                    $"Not waiting for phase {replaced.PhaseNumber}: the instance {replaced.Owner} that ran it has not been heard from since {lastSeen:HH:mm:ss} UTC.");
                continue;
            }
            for (var looks = 0; !await store.HasLoggedAsync(replaced.Id, "phase", StoppedAfterReplacement); looks++)
            {
                if (waited.Elapsed >= WaitForCancelledRuns) return false;
                if (looks == 0)
                    await store.AppendLogAsync(deallocation.Key, LogLevel.Info, "phase",
                        $"Waiting for phase {replaced.PhaseNumber} (run by the instance {replaced.Owner}) to stop before deleting anything.");
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }
        }
        return true;
    }

    /// <summary>Runs on the deployment's target and region (<see cref="DeploymentPinning"/>), saying so when Settings differ.</summary>
    private async Task<PipelineSettings> PinToDeploymentAsync(PhaseRun run, PipelineSettings settings)
    {
        if (await store.GetWithRunsAsync(run.DeploymentId) is not { } found) return settings;
        var pinned = DeploymentPinning.Pin(found.Deployment, found.Runs, settings);
        if (pinned.Target != settings.Target || (pinned.Target == DeploymentTarget.Aws && pinned.AwsRegion != settings.AwsRegion))
            await store.AppendLogAsync(run.Key, LogLevel.Warning, "phase",
                $"This deployment lives on '{pinned.Target.Name()}'{(pinned.Target == DeploymentTarget.Aws ? $" in {pinned.AwsRegion}" : "")}; " +
                "Settings now say otherwise, which applies from the next deployment. De-allocate (phase 7) to switch.");
        return pinned;
    }
}

/// <param name="StepDelay">
/// A pause at the start of every step. Zero in use; the crash-safety test sets it (CORD19_TEST_STEP_DELAY_MS)
/// to hold each phase open long enough to kill the app inside it.
/// </param>
public sealed record PhaseRunnerOptions(TimeSpan StepDelay)
{
    public const string EnvironmentVariable = "CORD19_TEST_STEP_DELAY_MS";
}
