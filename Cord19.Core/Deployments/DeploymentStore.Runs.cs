using Cord19.Core.Live;
using Cord19.Core.Phases;
using Microsoft.EntityFrameworkCore;

namespace Cord19.Core.Deployments;

/// <summary>Phase runs: requests (one running run per deployment), start, end, resumes and attempts.</summary>
public sealed partial class DeploymentStore
{
    /// <summary>The reason of a running run that a de-allocation's request ended, to take the one running slot.</summary>
    public const string ReplacedByDeallocationReason = "Cancelled because de-allocation was requested.";

    public async Task<PhaseRun?> FindRunAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await RunByIdAsync(db, runId, ct);
    }

    /// <summary>
    /// The runs that had started and that asking for this de-allocation ended (<see cref="RequestRunAsync"/>): each may
    /// still be executing, on this instance or another, until its runner sees the change.
    /// </summary>
    public async Task<IReadOnlyList<PhaseRun>> FindRunsReplacedByAsync(PhaseRun deallocation, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PhaseRuns.AsNoTracking()
            .Where(r => r.DeploymentId == deallocation.DeploymentId && r.Reason == ReplacedByDeallocationReason
                        && r.EndedAt == deallocation.RequestedAt && r.StartedAt != null)
            .ToListAsync(ct);
    }

    /// <summary>
    /// Creates a run for the requested phase if the phase rules allow it. Phase 1 after a de-allocation starts a
    /// new deployment. De-allocation while a phase runs marks that run interrupted; the caller cancels its job.
    /// </summary>
    /// <param name="region">The AWS region a new deployment's resources go to (null on the local target).</param>
    public async Task<RunRequestOutcome> RequestRunAsync(RunRequest request, DeploymentTarget target, string? region, string settingsJson, CancellationToken ct = default)
    {
        var phase = Phase.TryGet(request.PhaseNumber);
        if (phase is null)
            return RunRequestOutcome.Refused($"There is no phase {request.PhaseNumber}; phases are numbered 1 to 7.");

        await _requestGate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var deployment = await CurrentDeploymentAsync(db, ct);
            var latest = deployment is null ? new Dictionary<int, PhaseRun>() : await LatestRunsAsync(db, deployment.Id, ct);
            var statuses = latest.ToDictionary(p => p.Key, p => p.Value.Status);

            var why = PhaseRules.WhyNot(phase, statuses, LifecycleOf(deployment));
            if (why is not null)
                return RunRequestOutcome.Refused(why);

            if (request.Resume && latest.GetValueOrDefault(phase.Number)?.Status is not (PhaseStatus.Interrupted or PhaseStatus.Failed))
                return RunRequestOutcome.Refused(
                    $"Phase {phase.Number} has no interrupted or failed run to resume; run it again instead.");

            // On the instances' shared clock: the latest run of a phase is the one requested last whichever instance took
            // each click, and a request is not taken for a lost job sooner than the never-started rule allows.
            var requestedAt = await SharedNowAsync(db, ct);
            if (deployment is null || (deployment.HasEnded && phase.Number == Phase.First))
            {
                deployment = new Deployment { Target = target, Region = target == DeploymentTarget.Aws ? region : null, CreatedAt = Now };
                db.Deployments.Add(deployment);
                latest.Clear();
            }

            PhaseRun? cancelled = null;
            if (phase.IsDeallocation)
            {
                cancelled = latest.Values.FirstOrDefault(r => r.Status == PhaseStatus.Running);
                if (cancelled is not null)
                {
                    db.Attach(cancelled);
                    cancelled.Status = PhaseStatus.Interrupted;
                    cancelled.EndedAt = requestedAt; // how FindRunsReplacedByAsync knows it
                    cancelled.Reason = ReplacedByDeallocationReason;
                }
            }

            var run = new PhaseRun
            {
                DeploymentId = deployment.Id,
                PhaseNumber = phase.Number,
                Status = PhaseStatus.Running,
                Resume = request.Resume,
                DeleteResults = request.DeleteResults,
                RequestedBy = request.RequestedBy,
                RequestedAt = requestedAt,
                SettingsJson = settingsJson,
            };
            db.PhaseRuns.Add(run);

            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (StateDatabaseFailure.IsLostRace(ex))
            {
                // Another process won the race for the one running slot; unless this is a retry after a connection lost at
                // the commit (StateDatabase), which met its own run.
                if (!await db.PhaseRuns.AsNoTracking().AnyAsync(r => r.Id == run.Id, ct))
                    return RunRequestOutcome.Refused("Another phase of this deployment has just started; try again when it finishes.");
            }
            catch (DbUpdateException ex)
            {
                return RunRequestOutcome.Refused(StateDatabaseFailure.Describe(ex));
            }

            if (cancelled is not null) feed.Publish(new PhaseRunChanged(deployment.Id, PhaseRunView.From(cancelled)));
            var view = PhaseRunView.From(run);
            feed.Publish(new PhaseRunChanged(deployment.Id, view));
            return new RunRequestOutcome(view, null, cancelled?.Id);
        }
        finally
        {
            _requestGate.Release();
        }
    }

    /// <summary>Marks a requested run as started. False when it is no longer running (cancelled or recovered), so the job must not run it.</summary>
    public async Task<bool> MarkStartedAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.PhaseRuns.FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null || run.Status != PhaseStatus.Running || run.StartedAt is not null)
            return false;
        run.StartedAt = Now;
        run.Owner = runner.Name;
        await db.SaveChangesAsync(ct);
        feed.Publish(new PhaseRunChanged(run.DeploymentId, PhaseRunView.From(run)));
        return true;
    }

    /// <summary>Ends a running run. A run that is no longer running (e.g. cancelled by de-allocation) keeps its status.</summary>
    public async Task<bool> CompleteRunAsync(Guid runId, PhaseStatus status, string? reason, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.PhaseRuns.FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null || run.Status != PhaseStatus.Running)
            return false;
        run.Status = status;
        run.Reason = reason is null ? null : StoredText.Clean(reason);
        run.EndedAt = Now;
        if (status == PhaseStatus.Succeeded && run.PhaseNumber == Phase.Deallocation)
        {
            var deployment = await db.Deployments.FirstAsync(d => d.Id == run.DeploymentId, ct);
            deployment.EndedAt = run.EndedAt;
        }
        await db.SaveChangesAsync(ct);
        feed.Publish(new PhaseRunChanged(run.DeploymentId, PhaseRunView.From(run)));
        return true;
    }

    /// <summary>The steps that the latest unfinished earlier run of this phase completed: what a resume may skip.</summary>
    public async Task<IReadOnlySet<string>> GetResumableStepsAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.PhaseRuns.AsNoTracking().FirstAsync(r => r.Id == runId, ct);
        var previous = await db.PhaseRuns.AsNoTracking()
            .Where(r => r.DeploymentId == run.DeploymentId && r.PhaseNumber == run.PhaseNumber && r.RequestedAt < run.RequestedAt)
            .OrderByDescending(r => r.RequestedAt)
            .FirstOrDefaultAsync(ct);
        if (previous is null || previous.Status is not (PhaseStatus.Interrupted or PhaseStatus.Failed))
            return new HashSet<string>();
        var steps = await db.StepLog.AsNoTracking()
            .Where(l => l.PhaseRunId == previous.Id && l.CompletesStep)
            .Select(l => l.Step)
            .ToListAsync(ct);
        return steps.ToHashSet();
    }

    /// <summary>
    /// The first run of this run's attempt: going back through the earlier runs of the same phase while they failed or
    /// were interrupted. A retry or a resume belongs to the attempt it continues; a run after a success starts a new one.
    /// </summary>
    public async Task<Guid> GetAttemptRootAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.PhaseRuns.AsNoTracking().FirstAsync(r => r.Id == runId, ct);
        var earlier = await db.PhaseRuns.AsNoTracking()
            .Where(r => r.DeploymentId == run.DeploymentId && r.PhaseNumber == run.PhaseNumber && r.RequestedAt < run.RequestedAt)
            .OrderByDescending(r => r.RequestedAt)
            .Select(r => new { r.Id, r.Status })
            .ToListAsync(ct);
        var root = run.Id;
        foreach (var previous in earlier)
        {
            if (previous.Status is not (PhaseStatus.Interrupted or PhaseStatus.Failed)) break;
            root = previous.Id;
        }
        return root;
    }

    /// <summary>
    /// At start-up no job of this instance can be running, so a run it owned that is still marked running was cut off by a
    /// crash or a stop. Mark them interrupted so the page tells the truth and offers resume or re-run. SQLite state is one
    /// panel's alone (the data folder's lock), so every running run was this panel's, even under another name (a new
    /// container's host name, a renamed machine), and so was one no job had started yet (that job finds it ended). On
    /// PostgreSQL, runs owned by other instances are theirs (or, once they fall silent,
    /// <see cref="InterruptRunsOfSilentInstancesAsync"/>'s); and a run no instance has started yet is most likely another
    /// live instance's click, its job in the shared queue for the next free worker: left to that job, or, should none
    /// start it, to <see cref="InterruptRunsNeverStartedAsync"/>.
    /// </summary>
    public async Task<int> InterruptAbandonedRunsAsync(string reason, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var onePanel = db.Database.IsSqlite();
        var running = await db.PhaseRuns.AsNoTracking()
            .Where(r => r.Status == PhaseStatus.Running && (onePanel || r.Owner == runner.Name))
            .ToListAsync(ct);
        var interrupted = 0;
        foreach (var run in running)
            if (await InterruptIfRunningAsync(db, run, reason, ct)) interrupted++;
        return interrupted;
    }

    /// <summary>
    /// Ends a run that its runner cannot end (gone, or silent) as interrupted with <paramref name="reason"/>. Only while
    /// it is still running: its owner may have ended it since, or another instance first.
    /// </summary>
    private async Task<bool> InterruptIfRunningAsync(Cord19Db db, PhaseRun run, string reason, CancellationToken ct)
    {
        var now = Now;
        // Or ended by this very call: a retry after a connection lost at the commit (StateDatabase) meets its own end.
        if (await db.PhaseRuns.Where(r => r.Id == run.Id && (r.Status == PhaseStatus.Running
                    || (r.Status == PhaseStatus.Interrupted && r.EndedAt == now && r.Reason == reason))).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, PhaseStatus.Interrupted).SetProperty(r => r.Reason, reason).SetProperty(r => r.EndedAt, now), ct) == 0)
            return false;
        (run.Status, run.Reason, run.EndedAt) = (PhaseStatus.Interrupted, reason, now);
        feed.Publish(new PhaseRunChanged(run.DeploymentId, PhaseRunView.From(run)));
        return true;
    }

    private static Task<PhaseRun?> RunByIdAsync(Cord19Db db, Guid runId, CancellationToken ct) =>
        db.PhaseRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct);
}
