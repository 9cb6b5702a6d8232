using Cord19.Core.Phases;
using Microsoft.EntityFrameworkCore;

namespace Cord19.Core.Deployments;

/// <summary>
/// The instances sharing this state: each says it is alive, and the phases of a silent one are ended for it. When an
/// instance was last heard from, and when a run was requested, are written and judged on one clock
/// (<see cref="SharedNowAsync"/>), so that no instance's own clock decides whether another is silent or a job lost.
/// </summary>
public sealed partial class DeploymentStore
{
    /// <summary>This instance is alive now: the runs it started are still its own to end.</summary>
    public async Task RecordAliveAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = await SharedNowAsync(db, ct);
        if (await db.Instances.Where(i => i.Name == runner.Name).ExecuteUpdateAsync(s => s.SetProperty(i => i.LastSeenAt, now), ct) > 0)
            return;
        db.Instances.Add(new PanelInstance { Name = runner.Name, LastSeenAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another process of the same name (a misconfiguration) inserted it first: the row says alive either way.
        }
    }

    /// <summary>
    /// When the instance that started <paramref name="run"/> was last heard from, if that was more than
    /// <paramref name="silentFor"/> ago; null while it is alive, for this instance, and for one that never said (below).
    /// </summary>
    public async Task<DateTime?> SilentSinceAsync(PhaseRun run, TimeSpan silentFor, CancellationToken ct = default)
    {
        if (run.Owner is not { } owner || owner == runner.Name) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var lastSeen = await db.Instances.AsNoTracking().Where(i => i.Name == owner).Select(i => (DateTime?)i.LastSeenAt).FirstOrDefaultAsync(ct);
        return lastSeen < await SharedNowAsync(db, ct) - silentFor ? lastSeen : null;
    }

    /// <summary>
    /// Marks interrupted every started run whose instance has been silent for <paramref name="silentFor"/>: nothing runs
    /// it any more, and the page would otherwise show it running for ever. The reason names the instance and when it was
    /// last heard from; resume or run again continue it. An instance that never said it was alive is a release before
    /// this one, still running its phase during a rolling upgrade as likely as not: its runs are left to it (and to its
    /// name's next start).
    /// </summary>
    public async Task<IReadOnlyList<PhaseRunView>> InterruptRunsOfSilentInstancesAsync(TimeSpan silentFor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cutoff = await SharedNowAsync(db, ct) - silentFor;
        var orphaned = await (
            from run in db.PhaseRuns.AsNoTracking()
            join instance in db.Instances on run.Owner equals instance.Name
            where run.Status == PhaseStatus.Running && run.StartedAt != null && instance.LastSeenAt < cutoff && instance.Name != runner.Name
            select new { Run = run, instance.LastSeenAt }).ToListAsync(ct);
        return await InterruptSayingWhyAsync(db, orphaned.Select(o => (o.Run, SilentInstanceReason(o.Run.Owner!, o.LastSeenAt))), ct);
    }

    /// <summary>
    /// How far this instance's clock is ahead of PostgreSQL's (behind when negative), measured at the middle of one round
    /// trip; null on SQLite, which only this machine's clock ever writes. The times an instance records (a phase's start
    /// and end, a deployment's creation) are on its own clock, so they agree across instances only as far as the clocks do.
    /// </summary>
    public async Task<TimeSpan?> ClockAheadOfDatabaseAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (db.Database.IsSqlite()) return null;
        var sent = clock.GetUtcNow();
        var database = await DatabaseNowAsync(db, ct);
        var received = clock.GetUtcNow();
        return sent + (received - sent) / 2 - new DateTimeOffset(database);
    }

    /// <summary>
    /// Now, for what one instance writes and another judges: heartbeats and run requests. On PostgreSQL, PostgreSQL's
    /// clock, the one every instance shares. On their own clocks, an instance whose clock is behind would have its phases
    /// ended while it runs them, its requests taken for lost jobs sooner, and its run of a phase sorted before the run
    /// it followed; one ahead would keep a dead instance's phases "Running" for longer. On SQLite, whose one instance is
    /// the only clock, this instance's (the app's TimeProvider, which tests move).
    /// </summary>
    private async Task<DateTime> SharedNowAsync(Cord19Db db, CancellationToken ct) =>
        db.Database.IsSqlite() ? Now : await DatabaseNowAsync(db, ct);

    private static async Task<DateTime> DatabaseNowAsync(Cord19Db db, CancellationToken ct) =>
        (await db.Database.SqlQueryRaw<DateTime>("SELECT now() AS \"Value\"").SingleAsync(ct)).ToUniversalTime();

    /// <summary>
    /// Forgets the instances silent for <paramref name="silentFor"/> that own no running phase: each pod or replaced
    /// container leaves its name behind, and nothing needs it once its phases are ended. One that comes back says it is
    /// alive again at its start.
    /// </summary>
    public async Task<int> ForgetInstancesSilentForAsync(TimeSpan silentFor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cutoff = await SharedNowAsync(db, ct) - silentFor;
        return await db.Instances
            .Where(i => i.LastSeenAt < cutoff && i.Name != runner.Name && !db.PhaseRuns.Any(r => r.Owner == i.Name && r.Status == PhaseStatus.Running))
            .ExecuteDeleteAsync(ct);
    }

    /// <summary>
    /// Marks interrupted every run that no instance has started <paramref name="within"/> of its request. Its job is gone:
    /// the instance that took the click stopped before queuing it, or the queue lost it. A job comes to a free worker in
    /// under a second, and a deployment runs one phase at a time, so such a run would otherwise show "Running" for ever
    /// and hold the deployment's one running slot.
    /// </summary>
    public async Task<IReadOnlyList<PhaseRunView>> InterruptRunsNeverStartedAsync(TimeSpan within, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cutoff = await SharedNowAsync(db, ct) - within;
        var waiting = await db.PhaseRuns.AsNoTracking()
            .Where(r => r.Status == PhaseStatus.Running && r.StartedAt == null && r.RequestedAt < cutoff)
            .ToListAsync(ct);
        var reason = $"No instance started this phase within {within.TotalSeconds:0} s of the request: its job was lost (the instance that " +
                     "took the request stopped before queuing it, or the job queue was cleared). Run it again.";
        return await InterruptSayingWhyAsync(db, waiting.Select(run => (run, reason)), ct);
    }

    /// <summary>
    /// Ends each run, while it is still running, with its reason, and writes the reason into its log too: unlike a
    /// restart's, this end is not the run's own instance speaking.
    /// </summary>
    private async Task<IReadOnlyList<PhaseRunView>> InterruptSayingWhyAsync(Cord19Db db, IEnumerable<(PhaseRun Run, string Reason)> runs, CancellationToken ct)
    {
        var ended = new List<PhaseRunView>();
        foreach (var (run, reason) in runs)
        {
            if (!await InterruptIfRunningAsync(db, run, reason, ct)) continue;
            await AppendLogAsync(run.Key, LogLevel.Warning, "phase", reason, ct: ct);
            ended.Add(PhaseRunView.From(run));
        }
        return ended;
    }

    private static string SilentInstanceReason(string instance, DateTime lastSeen) =>
        $"The instance {instance} that ran this phase has not been heard from since {lastSeen:yyyy-MM-dd HH:mm:ss} UTC " +
        "(it stopped, or lost the state database), so nothing runs it any more. Resume it or run it again.";
}
