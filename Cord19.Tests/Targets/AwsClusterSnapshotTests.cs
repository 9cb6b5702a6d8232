using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using Microsoft.EntityFrameworkCore;
using static Cord19.Tests.Support.Aws.AwsTargetHarness;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// A manual snapshot of the deployment's cluster (the final snapshot Redshift's console keeps when it deletes a cluster,
/// unless told not to) bills as backup storage until someone deletes it: the panel records it, meters it, and phase 7
/// and the orphan clean-up delete it. It is found by its cluster's name, since a snapshot need not carry its tags.
/// </summary>
public sealed class AwsClusterSnapshotTests
{
    private const string FinalSnapshot = "cord19-final-by-console";

    /// <summary>Phases 1 and 2: the deployment's cluster, paused, with its export made.</summary>
    private static async Task<(AwsTargetHarness H, Guid Id, string Cluster)> ClusterMadeAsync()
    {
        var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var id = await h.DeploymentIdAsync();
        return (h, id, ResourceTags.Name(id));
    }

    /// <summary>Phases 1 and 2, then the cluster deleted in the console, which kept its final snapshot <paramref name="hoursAgo"/>.</summary>
    private static async Task<(AwsTargetHarness H, Guid Id, ClusterSnapshot Snapshot)> ClusterDeletedInConsoleAsync(double hoursAgo)
    {
        var (h, id, cluster) = await ClusterMadeAsync();
        return (h, id, h.Cloud.DeleteClusterKeepingFinalSnapshot(cluster, FinalSnapshot, DateTimeOffset.UtcNow.AddHours(-hoursAgo)));
    }

    [Theory]
    [InlineData("start-up reconciliation")]
    [InlineData("the look every 5 minutes")]
    public async Task The_final_snapshot_of_a_cluster_deleted_in_the_console_is_metered_from_its_creation_and_deleted_by_phase_seven(string look)
    {
        var (h, id, snapshot) = await ClusterDeletedInConsoleAsync(hoursAgo: 5);
        await using var _ = h;
        var (cluster, takenAt) = (snapshot.Cluster, snapshot.CreatedAt!.Value);
        h.Cloud.Snapshots["someone-elses"] = new ClusterSnapshot("someone-elses", "analytics-prod", "available", takenAt); // not the panel's

        if (look == "start-up reconciliation") await h.Get<AwsReconciler>().ReconcileAsync(default);
        else Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));

        var entry = Assert.Single(await h.Core.Store.GetLiveResourcesAsync(id), r => r.Kind == AwsResourceKinds.ClusterSnapshot);
        Assert.Equal($"{cluster}/{FinalSnapshot}", entry.Locator);
        Assert.Equal(takenAt.UtcDateTime, entry.CreatedAt, TimeSpan.FromSeconds(1)); // billed since it was taken, not since the look
        var meter = Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftSnapshot);
        Assert.True(meter.BurnRatePerHour > 0m);
        Assert.Equal(6 * meter.BurnRatePerHour!.Value, meter.Accrued!.Value, 6); // five hours, and the hour ahead
        var log = await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[2]);
        Assert.Contains(look == "start-up reconciliation"
            ? $"Recorded {AwsResourceKinds.ClusterSnapshot} {snapshot.Locator}: a manual snapshot of this deployment's cluster"
            : $"It left a snapshot, {FinalSnapshot}, which bills as backup storage", log);
        Assert.Contains("phase 7 deletes", log);
        Assert.DoesNotContain("was taken outside the panel", log); // the console's final snapshot, not one taken while the cluster ran

        // Phase 7 deletes it, waiting while Redshift is still taking it.
        h.Cloud.InvalidSnapshotStateFailures = 1;
        var end = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());
        var endLog = await h.Core.LogTextAsync(end);
        Succeeded(end, endLog);
        Assert.Contains($"Deleted {AwsResourceKinds.ClusterSnapshot} {snapshot.Locator}.", endLog);
        Assert.Equal(["someone-elses"], h.Cloud.Snapshots.Keys);
        Assert.Equal(0m, Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftSnapshot).BurnRatePerHour);
    }

    /// <summary>A recorded snapshot deleted in the console stops being metered at the next look, not at phase 7.</summary>
    [Fact]
    public async Task A_recorded_snapshot_deleted_in_the_console_stops_being_metered_at_the_next_look()
    {
        var (h, id, _) = await ClusterDeletedInConsoleAsync(hoursAgo: 5);
        await using var _ = h;
        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));
        Assert.True(Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftSnapshot).BurnRatePerHour > 0m);

        h.Cloud.SnapshotListingFailure = new Cord19.Core.Aws.AwsException("redshift:DescribeClusterSnapshots", "Throttling", "Rate exceeded", null);
        h.Cloud.Snapshots.Remove(FinalSnapshot);
        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default)); // cannot tell: still metered
        Assert.True(Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftSnapshot).BurnRatePerHour > 0m);
        h.Cloud.SnapshotListingFailure = null;
        // While phase 7 runs, the snapshots are its own to delete and record: the look leaves them.
        var deallocation = new PhaseRun { DeploymentId = id, PhaseNumber = 7, Status = PhaseStatus.Running, RequestedAt = DateTime.UtcNow };
        await using (var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync())
        {
            db.PhaseRuns.Add(deallocation);
            await db.SaveChangesAsync();
        }
        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));
        Assert.True(Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftSnapshot).BurnRatePerHour > 0m);
        await using (var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync())
            await db.PhaseRuns.Where(r => r.Id == deallocation.Id).ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, PhaseStatus.Interrupted));
        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));

        Assert.Equal(0m, Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftSnapshot).BurnRatePerHour);
        Assert.Contains($"Snapshot {FinalSnapshot} of {ResourceTags.Name(id)} is gone", await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[2]));
    }

    /// <summary>
    /// Deleted in the console while the panel was away: start-up reconciliation ends it. An operator policy that does not
    /// allow the listing leaves the sweep without snapshots, which must not read as their deletion, nor stop reconciliation.
    /// </summary>
    [Fact]
    public async Task Start_up_reconciliation_ends_a_recorded_snapshot_that_is_gone_and_keeps_one_it_cannot_list()
    {
        var (h, id, _) = await ClusterDeletedInConsoleAsync(hoursAgo: 5);
        await using var _ = h;
        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));
        double SnapshotBurn(CostSnapshot meters) => (double)Meter(meters, MeterKind.RedshiftSnapshot).BurnRatePerHour!.Value;

        h.Cloud.SnapshotListingFailure = new Cord19.Core.Aws.AwsException("redshift:DescribeClusterSnapshots", "AccessDenied",
            "User is not authorized to perform: redshift:DescribeClusterSnapshots", System.Net.HttpStatusCode.Forbidden);
        await h.Get<AwsReconciler>().ReconcileAsync(default);
        Assert.True(SnapshotBurn(await h.MetersInAnHourAsync()) > 0);

        h.Cloud.SnapshotListingFailure = null;
        h.Cloud.Snapshots.Remove(FinalSnapshot);
        Assert.Equal(1, (await h.Get<AwsReconciler>().ReconcileAsync(default)).MarkedDeleted);
        Assert.Equal(0, SnapshotBurn(await h.MetersInAnHourAsync()));
        Assert.Contains($"Snapshot {FinalSnapshot} of {ResourceTags.Name(id)} is gone", await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[2]));
    }

    /// <summary>
    /// Of two recorded snapshots of the cluster, the one gone ends and the one the sweep still lists stays metered: a snapshot
    /// the sweep lists does not hide another of the same kind that it does not.
    /// </summary>
    [Fact]
    public async Task Start_up_reconciliation_ends_the_recorded_snapshot_that_is_gone_beside_one_that_is_kept()
    {
        var (h, id, _) = await ClusterDeletedInConsoleAsync(hoursAgo: 5);
        await using var _ = h;
        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));
        var cluster = ResourceTags.Name(id);
        h.Cloud.Snapshots["by-hand"] = new ClusterSnapshot("by-hand", cluster, "available", DateTimeOffset.UtcNow.AddHours(-3));
        Assert.Equal(1, (await h.Get<AwsReconciler>().ReconcileAsync(default)).Added);

        h.Cloud.Snapshots.Remove(FinalSnapshot);
        Assert.Equal(1, (await h.Get<AwsReconciler>().ReconcileAsync(default)).MarkedDeleted);

        var live = await h.Core.Store.GetLiveResourcesAsync(id);
        Assert.Equal([$"{cluster}/by-hand"], live.Where(r => r.Kind == AwsResourceKinds.ClusterSnapshot).Select(r => r.Locator));
    }

    /// <summary>A snapshot taken by hand while the cluster lives bills from its creation: the next 5-minute look records it, once.</summary>
    [Fact]
    public async Task A_snapshot_taken_by_hand_while_the_cluster_lives_is_metered_from_its_creation_at_the_next_look_and_said_once()
    {
        var (h, id, cluster) = await ClusterMadeAsync();
        await using var _ = h;
        var takenAt = DateTimeOffset.UtcNow.AddHours(-2);
        h.Cloud.Snapshots["by-hand"] = new ClusterSnapshot("by-hand", cluster, "available", takenAt);
        h.Cloud.Snapshots["someone-elses"] = new ClusterSnapshot("someone-elses", "analytics-prod", "available", takenAt);
        var guard = h.Get<ClusterGuard>();

        Assert.False(await guard.CheckAsync(default));
        Assert.False(await guard.CheckAsync(default));

        var entry = Assert.Single(await h.Core.Store.GetLiveResourcesAsync(id), r => r.Kind == AwsResourceKinds.ClusterSnapshot);
        Assert.Equal($"{cluster}/by-hand", entry.Locator);
        Assert.Equal(takenAt.UtcDateTime, entry.CreatedAt, TimeSpan.FromSeconds(1)); // billed since it was taken, not since the look
        var meter = Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftSnapshot);
        Assert.Equal(3 * meter.BurnRatePerHour!.Value, meter.Accrued!.Value, 6); // two hours, and the hour ahead
        var log = await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[2]);
        Assert.Single(log.Split('\n'), line => line.Contains($"Snapshot by-hand of {cluster} was taken outside the panel", StringComparison.Ordinal));
    }

    /// <summary>Phase 7 finds a snapshot the panel never recorded (taken by hand while the cluster ran) by its cluster's name.</summary>
    [Fact]
    public async Task Phase_seven_deletes_a_snapshot_of_the_deployments_cluster_the_ledger_never_had()
    {
        var (h, _, cluster) = await ClusterMadeAsync();
        await using var _ = h;
        h.Cloud.Snapshots["by-hand"] = new ClusterSnapshot("by-hand", cluster, "available", DateTimeOffset.UtcNow.AddHours(-1));

        var plan = await h.Get<Cord19.Core.Execution.DeallocationPlanner>().PlanAsync(default);
        Assert.Contains(plan!.Items, d => d.Kind == AwsResourceKinds.ClusterSnapshot && d.Locator == $"{cluster}/by-hand" && !d.InLedger);
        var end = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        Succeeded(end, await h.Core.LogTextAsync(end));
        Assert.Empty(h.Cloud.Snapshots);
    }

    /// <summary>
    /// Without tags, a snapshot is an orphan by its cluster's name: one of an ended deployment's cluster is listed and
    /// deleted, whether or not a deployment is live; one of the live deployment's cluster is not an orphan, nor is
    /// another cluster's.
    /// </summary>
    [Fact]
    public async Task An_ended_deployments_snapshot_is_an_orphan_and_the_live_ones_is_not()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var ended = ResourceTags.Name(Guid.NewGuid());
        h.Cloud.Snapshots["ended-final"] = new ClusterSnapshot("ended-final", ended, "available", DateTimeOffset.UtcNow);
        h.Cloud.Snapshots["not-ours"] = new ClusterSnapshot("not-ours", "analytics-prod", "available", DateTimeOffset.UtcNow);
        async Task<IEnumerable<string>> OrphanSnapshotsAsync() =>
            (await h.Get<AwsReconciler>().FindOrphansAsync("us-east-2", default)).Where(o => o.Kind == AwsResourceKinds.ClusterSnapshot).Select(o => o.Locator);
        Assert.Equal([$"{ended}/ended-final"], await OrphanSnapshotsAsync()); // no deployment live
        Succeeded(await h.Core.RunAsync(1), "");
        var live = ResourceTags.Name(await h.DeploymentIdAsync());
        h.Cloud.Snapshots["live-final"] = new ClusterSnapshot("live-final", live, "available", DateTimeOffset.UtcNow);

        Assert.Equal([$"{ended}/ended-final"], await OrphanSnapshotsAsync());

        var deletion = await h.Get<AwsReconciler>().DeleteOrphansAsync("us-east-2", AwsReconciler.OrphanConfirmation("us-east-2"), default);
        Assert.Contains($"{AwsResourceKinds.ClusterSnapshot} {ended}/ended-final", deletion.Deleted);
        Assert.Equal(["live-final", "not-ours"], h.Cloud.Snapshots.Keys.Order());
    }

    /// <summary>A snapshot that cannot be listed does not keep the deleted cluster metered: the log says phase 7 looks again.</summary>
    [Fact]
    public async Task A_refused_snapshot_listing_still_ends_the_deleted_clusters_meter_and_says_so()
    {
        var (h, id, _) = await ClusterDeletedInConsoleAsync(hoursAgo: 1);
        await using var _ = h;
        h.Cloud.SnapshotListingFailure = new Cord19.Core.Aws.AwsException("redshift:DescribeClusterSnapshots", "AccessDenied",
            "User is not authorized to perform: redshift:DescribeClusterSnapshots", System.Net.HttpStatusCode.Forbidden);

        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));

        Assert.DoesNotContain(await h.Core.Store.GetLiveResourcesAsync(id), r => r.Kind is AwsResourceKinds.Cluster or AwsResourceKinds.ClusterSnapshot);
        Assert.Contains("Whether it left a snapshot could not be asked", await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[2]));
    }
}
