using System.Diagnostics;
using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Core.Pipeline;
using Cord19.Core.Settings;

namespace Cord19.Core.Execution;

/// <summary>What a target sees of the run it executes: settings, cancellation, the step log and the resource ledger.</summary>
public sealed class PhaseContext : IStepRecorder
{
    private readonly DeploymentStore _store;
    private readonly IReadOnlySet<string> _completedEarlier;
    private string _step = "phase";

    private readonly TimeSpan _stepDelay;
    private readonly CancellationToken _hostStopping;

    internal PhaseContext(Phase phase, PhaseRun run, PipelineSettings settings, DeploymentStore store,
        IReadOnlySet<string> completedEarlier, CancellationToken cancellation, TimeSpan stepDelay = default, CancellationToken hostStopping = default)
    {
        _stepDelay = stepDelay;
        _hostStopping = hostStopping;
        Phase = phase;
        Run = run;
        Settings = settings;
        _store = store;
        _completedEarlier = completedEarlier;
        Cancellation = cancellation;
    }

    public Phase Phase { get; }
    public PhaseRun Run { get; }
    public PipelineSettings Settings { get; }
    public CancellationToken Cancellation { get; }

    /// <summary>
    /// Cancelled because de-allocation was requested, the one cancel besides the panel stopping: phase 7 deletes what
    /// this phase leaves, so it should not start anything on its way out.
    /// </summary>
    public bool CancelledForDeallocation => Cancellation.IsCancellationRequested && !_hostStopping.IsCancellationRequested;

    public Task LogAsync(string message) => LogAsync(message, LogLevel.Info);

    public Task LogAsync(string message, LogLevel level) =>
        _store.AppendLogAsync(Run.Key, level, _step, message, ct: CancellationToken.None);

    /// <summary>
    /// Runs one named step and records its completion. On a resume, a checkpointed step that the interrupted run
    /// completed is skipped, so such steps must leave their output complete or not at all.
    /// </summary>
    public async Task StepAsync(string step, Func<CancellationToken, Task> body, bool checkpointed = false)
    {
        _step = step;
        if (checkpointed && await SkippedAsCompletedEarlierAsync(step)) return;

        Cancellation.ThrowIfCancellationRequested();
        var watch = Stopwatch.StartNew();
        await LogAsync("Started.");
        if (_stepDelay > TimeSpan.Zero) await Task.Delay(_stepDelay, Cancellation);
        await body(Cancellation);
        await _store.AppendLogAsync(Run.Key, LogLevel.Info, step, $"Done in {watch.Elapsed.TotalSeconds:0.0} s.",
            completesStep: true, CancellationToken.None);
    }

    /// <summary>
    /// On a resume, records <paramref name="step"/> as skipped when the interrupted run completed it, and says whether it
    /// did: <see cref="StepAsync"/> asks it for a checkpointed step, and a target asks it before it starts work done
    /// elsewhere that opens the step itself (the local target's pipeline program).
    /// </summary>
    public async Task<bool> SkippedAsCompletedEarlierAsync(string step)
    {
        if (!Run.Resume || !_completedEarlier.Contains(step)) return false;
        _step = step;
        await LogAsync("Skipped: completed by the interrupted run.");
        await _store.AppendLogAsync(Run.Key, LogLevel.Info, step, "Done (resumed).", completesStep: true, CancellationToken.None);
        return true;
    }

    public Task<ResourceView> RecordResourceAsync(string kind, string locator, string? description = null) =>
        _store.RecordResourceAsync(Run.Key, kind, locator, description, ct: CancellationToken.None);

    /// <summary>The ledger's live resources, read even when the phase is being cancelled (as records are written), so that a phase on its way out can still act on them.</summary>
    public Task<IReadOnlyList<ResourceView>> LiveResourcesAsync() => _store.GetLiveResourcesAsync(Run.DeploymentId, CancellationToken.None);

    /// <summary>
    /// The deployment's record in one read: every entry of its ledger, ended ones included (each life of a resource),
    /// and every run, this one included.
    /// </summary>
    public async Task<(IReadOnlyList<ResourceView> Ledger, IReadOnlyList<PhaseRun> Runs)> DeploymentRecordAsync() =>
        await _store.GetWithRunsAsync(Run.DeploymentId, Cancellation) is var (deployment, runs)
            ? ([.. deployment.Resources.Select(ResourceView.From)], runs)
            : ([], []);

    /// <summary>Whether this deployment ever recorded a resource (every target records before it creates).</summary>
    public Task<bool> HasRecordedResourcesAsync() => _store.HasRecordedResourcesAsync(Run.DeploymentId, Cancellation);

    /// <summary>Every run of this run's deployment, this one included.</summary>
    public async Task<IReadOnlyList<PhaseRun>> DeploymentRunsAsync() => (await DeploymentRecordAsync()).Runs;

    /// <summary>The first run of the attempt this run continues (itself unless it retries or resumes a failed or interrupted run).</summary>
    public Task<Guid> AttemptRootAsync() => _store.GetAttemptRootAsync(Run.Id, Cancellation);

    public Task MarkResourceDeletedAsync(Guid resourceId) => _store.MarkResourceDeletedAsync(resourceId, CancellationToken.None);
}
