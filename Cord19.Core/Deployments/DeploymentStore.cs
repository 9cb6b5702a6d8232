using Cord19.Core.Live;
using Cord19.Core.Phases;
using Microsoft.EntityFrameworkCore;

namespace Cord19.Core.Deployments;

/// <summary>
/// The only writer of deployment state. Every change it commits is published on the
/// <see cref="IDeploymentFeed"/>, so the pages never poll the database. This file reads deployments; the runs, their
/// step logs and the resource ledger each have a file of their own (DeploymentStore.Runs, .Log, .Resources).
/// </summary>
public sealed partial class DeploymentStore(IDbContextFactory<Cord19Db> dbFactory, IDeploymentFeed feed, TimeProvider clock, Execution.RunnerIdentity runner)
{
    // Run requests read the current state and then write: serialise them in this process.
    // The unique "one running run per deployment" index is the guard across processes.
    private readonly SemaphoreSlim _requestGate = new(1, 1);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<DeploymentSnapshot> GetSnapshotAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deployment = await CurrentDeploymentAsync(db, ct);
        if (deployment is null)
            return new(null, BuildPhaseStates(new Dictionary<int, PhaseRun>(), DeploymentLifecycle.None), []);

        var latest = await LatestRunsAsync(db, deployment.Id, ct);
        var resources = await ResourcesOfAsync(db, deployment.Id, ct);

        return new(
            DeploymentView.From(deployment),
            BuildPhaseStates(latest, LifecycleOf(deployment)),
            resources.Select(ResourceView.From).ToList());
    }

    public async Task<IReadOnlyList<DeploymentView>> ListDeploymentsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var all = await db.Deployments.AsNoTracking().OrderByDescending(d => d.CreatedAt).ToListAsync(ct);
        return all.Select(DeploymentView.From).ToList();
    }

    /// <summary>A deployment (the current one when <paramref name="id"/> is null) with every run it had, for the cost meters.</summary>
    public async Task<(Deployment Deployment, IReadOnlyList<PhaseRun> Runs)?> GetWithRunsAsync(Guid? id = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deployment = id is { } wanted
            ? await db.Deployments.AsNoTracking().FirstOrDefaultAsync(d => d.Id == wanted, ct)
            : await CurrentDeploymentAsync(db, ct);
        if (deployment is null) return null;
        // The ledger comes along: an AWS deployment is metered from its resources' own lifetimes.
        deployment.Resources = await db.Resources.AsNoTracking().Where(r => r.DeploymentId == deployment.Id).ToListAsync(ct);
        var runs = await db.PhaseRuns.AsNoTracking().Where(r => r.DeploymentId == deployment.Id).OrderBy(r => r.RequestedAt).ToListAsync(ct);
        return (deployment, runs);
    }

    /// <summary>The newest deployments, newest first, each with every run and resource it had: three queries whatever the count.</summary>
    public async Task<IReadOnlyList<(Deployment Deployment, IReadOnlyList<PhaseRun> Runs)>> ListWithRunsAsync(int newest, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deployments = await db.Deployments.AsNoTracking().OrderByDescending(d => d.CreatedAt).Take(newest).ToListAsync(ct);
        var ids = deployments.Select(d => d.Id).ToList();
        var runs = (await db.PhaseRuns.AsNoTracking().Where(r => ids.Contains(r.DeploymentId)).ToListAsync(ct))
            .OrderBy(r => r.RequestedAt).ToLookup(r => r.DeploymentId);
        var resources = (await db.Resources.AsNoTracking().Where(r => ids.Contains(r.DeploymentId)).ToListAsync(ct)).ToLookup(r => r.DeploymentId);
        foreach (var deployment in deployments) deployment.Resources = resources[deployment.Id].ToList();
        return deployments.Select(d => (d, (IReadOnlyList<PhaseRun>)runs[d.Id].ToList())).ToList();
    }

    /// <summary>
    /// Records that the budget guard fired for the deployment. True only for the first call per deployment,
    /// whichever process makes it: the update applies only while no trip is recorded.
    /// </summary>
    public async Task<bool> TryTripBudgetGuardAsync(Guid deploymentId, string reason, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        // Or tripped by this very call: a retry after a connection lost at the commit (StateDatabase) meets its own trip,
        // and must not read it as another process's, or nobody would de-allocate.
        var changed = await db.Deployments
            .Where(d => d.Id == deploymentId && d.EndedAt == null && (d.GuardTrippedAt == null || (d.GuardTrippedAt == now && d.GuardReason == reason)))
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.GuardTrippedAt, now).SetProperty(d => d.GuardReason, reason), ct);
        if (changed == 1) feed.Publish(new ResourcesChanged(deploymentId));
        return changed == 1;
    }

    /// <summary>
    /// Compiles, before anyone clicks, what the first run request and the pages' reload after it use: the inserts and
    /// the update, and the queries of a deployment that has runs, which a fresh state database has never needed. All of
    /// it inside a transaction that is rolled back, so nothing is kept and nothing is published. Without it, on a
    /// fresh data directory, the first click's "Running" reached a second browser 0.54-0.81 s after the click, against
    /// 0.18-0.25 s for the clicks after it: the runtime and EF Core compiling the write path on the click's way.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken ct = default)
    {
        // A click meanwhile waits here rather than meeting this transaction's lock.
        await _requestGate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            // On PostgreSQL a transaction of one's own must run inside the retrying strategy, which replays it whole.
            await db.Database.CreateExecutionStrategy().ExecuteAsync(() => CompileWritePathAsync(db, ct));
        }
        finally
        {
            _requestGate.Release();
        }
    }

    private async Task CompileWritePathAsync(Cord19Db db, CancellationToken ct)
    {
        // A replay after a dropped connection starts from nothing tracked.
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var deployment = new Deployment { Target = DeploymentTarget.Local, CreatedAt = Now };
        var run = new PhaseRun { DeploymentId = deployment.Id, PhaseNumber = Phase.First, Status = PhaseStatus.Running, RequestedAt = Now };
        db.Deployments.Add(deployment);
        db.PhaseRuns.Add(run);
        await db.SaveChangesAsync(ct);
        run.StartedAt = Now;
        // On PostgreSQL the log's id sequence moves on by one, which a rollback does not undo: ids only order the lines.
        db.StepLog.Add(new StepLogEntry { PhaseRunId = run.Id, At = Now, Level = LogLevel.Info, Step = "warm-up", Message = "" });
        await db.SaveChangesAsync(ct);
        await CurrentDeploymentAsync(db, ct);
        await LatestRunsAsync(db, deployment.Id, ct);
        await ResourcesOfAsync(db, deployment.Id, ct);
        await RunByIdAsync(db, run.Id, ct);
        await LogOfAsync(db, run.Id, ct);
        await transaction.RollbackAsync(ct);
    }

    private static async Task<Deployment?> CurrentDeploymentAsync(Cord19Db db, CancellationToken ct) =>
        await db.Deployments.AsNoTracking().OrderByDescending(d => d.CreatedAt).FirstOrDefaultAsync(ct);

    private static async Task<Dictionary<int, PhaseRun>> LatestRunsAsync(Cord19Db db, Guid deploymentId, CancellationToken ct)
    {
        var runs = await db.PhaseRuns.AsNoTracking().Where(r => r.DeploymentId == deploymentId).ToListAsync(ct);
        return runs.GroupBy(r => r.PhaseNumber)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.RequestedAt).First());
    }

    private static DeploymentLifecycle LifecycleOf(Deployment? deployment) =>
        deployment is null ? DeploymentLifecycle.None : deployment.HasEnded ? DeploymentLifecycle.Ended : DeploymentLifecycle.Active;

    private static List<PhaseState> BuildPhaseStates(Dictionary<int, PhaseRun> latest, DeploymentLifecycle lifecycle)
    {
        var statuses = latest.ToDictionary(p => p.Key, p => p.Value.Status);
        return Phase.All.Select(phase =>
        {
            var run = latest.GetValueOrDefault(phase.Number);
            var why = PhaseRules.WhyNot(phase, statuses, lifecycle);
            return new PhaseState(phase, run?.Status ?? PhaseStatus.NotStarted, run is null ? null : PhaseRunView.From(run), why);
        }).ToList();
    }
}
