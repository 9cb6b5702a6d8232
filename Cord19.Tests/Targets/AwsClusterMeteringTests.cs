using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using Microsoft.EntityFrameworkCore;
using static Cord19.Tests.Support.Aws.AwsTargetHarness;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// A cluster's ledger through its lives: each running period is metered for what it ran, and stays metered after a
/// resume; a cluster deleted outside the panel (in the console, by another tool) bills nothing from then on, its
/// running periods included; one made again is metered once.
/// </summary>
public sealed class AwsClusterMeteringTests
{
    /// <summary>What was spent by a moment stays spent: a resume adds a running period, it does not replace the last one.</summary>
    [Fact]
    public async Task A_resumed_cluster_keeps_the_cost_of_its_earlier_running_periods()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var id = await h.DeploymentIdAsync();
        // Phase 2 ran its cluster for an hour, three hours ago.
        await using (var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync())
            await db.Resources.Where(r => r.DeploymentId == id && (r.Kind == AwsResourceKinds.ClusterCompute || r.Kind == AwsResourceKinds.Cluster))
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.CreatedAt, DateTime.UtcNow.AddHours(-3))
                    .SetProperty(x => x.DeletedAt, x => x.Kind == AwsResourceKinds.ClusterCompute ? DateTime.UtcNow.AddHours(-2) : null));
        var anHourAgo = DateTime.UtcNow.AddHours(-1);
        var spentByThen = Meter(await h.MetersAtAsync(anHourAgo), MeterKind.RedshiftCluster).Accrued;
        Assert.True(spentByThen > 0.5m, $"an hour of ra3.large: {spentByThen}");

        await ResumedAndMeteredAsync(h, ResourceTags.Name(id));

        Assert.Equal(spentByThen, Meter(await h.MetersAtAsync(anHourAgo), MeterKind.RedshiftCluster).Accrued);
        Assert.True(Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftCluster).Accrued > 2 * spentByThen * 0.99m); // and the new hour
    }

    /// <summary>
    /// The ledger has it paused, but someone resumed it in the console: it is metered from its first CPU reading since
    /// the pause (or from the look, without one), and paused again. After two running periods, "the pause" is the latter's.
    /// </summary>
    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public async Task A_cluster_resumed_outside_the_panel_is_metered_from_its_first_reading_since_the_pause_and_paused(bool cloudWatchHasIt, int periods)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var id = await h.DeploymentIdAsync();
        var cluster = ResourceTags.Name(id);
        await MadeRunAndPausedSixHoursAgoAsync(h, id, cluster);
        var pausedAt = DateTimeOffset.UtcNow.AddHours(-6);
        if (periods == 2) // phase 2 run again five hours ago, for an hour
        {
            var second = await h.Core.Store.RecordResourceAsync((await h.Core.Store.GetSnapshotAsync())[2].LatestRun!.Key, AwsResourceKinds.ClusterCompute,
                cluster, "running", DateTime.UtcNow.AddHours(-5));
            pausedAt = DateTimeOffset.UtcNow.AddHours(-4);
            await h.Core.Store.MarkResourceDeletedAsync(second.Id, pausedAt.UtcDateTime);
        }
        var oneHourRunning = Meter(await h.MetersAtAsync(DateTime.UtcNow), MeterKind.RedshiftCluster).Accrued!.Value / periods;
        var resumedAt = DateTimeOffset.UtcNow.AddHours(-2);
        // Readings of each run, each pause's last ones (it takes a few minutes), then the resumed cluster's.
        DateTimeOffset[] beforeTheResume = [.. Enumerable.Range(0, periods).SelectMany(p => new[] { pausedAt.AddHours(-2 * p).AddMinutes(-50), pausedAt.AddHours(-2 * p).AddMinutes(5) }).Order()];
        h.Cloud.CpuReportedFrom[cluster] = cloudWatchHasIt ? [.. beforeTheResume, resumedAt] : beforeTheResume;
        await h.Cloud.ResumeClusterAsync(cluster, default);
        await h.Cloud.FindClusterAsync(cluster, default); // Redshift says "resuming" for a look

        Assert.True(await h.Get<ClusterGuard>().CheckAsync(default));

        Assert.Equal("pausing", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);
        var meter = Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftCluster);
        Assert.Equal(0m, meter.BurnRatePerHour);
        Assert.Equal((double)((cloudWatchHasIt ? 2 : 0) * oneHourRunning + periods * oneHourRunning), (double)meter.Accrued!.Value, 0.01);
        Assert.Contains(cloudWatchHasIt ? "its first CPU reading in CloudWatch since the pause" : "CloudWatch gave no reading since the pause",
            await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[2]));
        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));
    }

    /// <summary>
    /// Start-up reconciliation (the panel was away) and the look every 5 minutes end it alike: dated by its last CPU
    /// reading, since it was running, or else by the look.
    /// </summary>
    [Theory]
    [InlineData("start-up reconciliation", true)]
    [InlineData("the look every 5 minutes", false)]
    public async Task A_cluster_deleted_outside_the_panel_stops_being_metered_nodes_and_all(string look, bool cloudWatchHasIt)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var cluster = await RunningClusterAsync(h);
        var id = await h.DeploymentIdAsync();
        await using (var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync()) // resumed three hours ago
            await db.Resources.Where(r => r.DeploymentId == id && r.Locator == cluster && r.DeletedAt == null)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.CreatedAt, DateTime.UtcNow.AddHours(-3)));
        var cpuReportedUntil = DateTimeOffset.UtcNow.AddMinutes(-40);
        if (cloudWatchHasIt) h.Cloud.CpuReportedUntil[cluster] = cpuReportedUntil;
        Assert.Contains(DeploymentNames.PauseScheduleOf(cluster), h.Cloud.PauseSchedules.Keys);
        var others = (await h.Core.Store.GetLiveResourcesAsync(id)).Where(r => r.Locator != cluster).Select(r => r.Id).Order().ToList();
        h.Cloud.Clusters.Remove(cluster);

        if (look == "start-up reconciliation") Assert.Equal(1, (await h.Get<AwsReconciler>().ReconcileAsync(default)).MarkedDeleted);
        else Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));

        // The cluster and its running period end with it; the instance and the rest go on.
        Assert.Equal(others, (await h.Core.Store.GetLiveResourcesAsync(id)).Select(r => r.Id).Order());
        var meters = await h.MetersInAnHourAsync();
        Assert.Equal((0m, 0m), (Meter(meters, MeterKind.RedshiftCluster).BurnRatePerHour, Meter(meters, MeterKind.RedshiftStorage).BurnRatePerHour));
        var (deployment, _) = (await h.Core.Store.GetWithRunsAsync(id))!.Value;
        var expected = cloudWatchHasIt ? cpuReportedUntil + ClusterGuard.PauseSlack : DateTimeOffset.UtcNow;
        var wereLive = deployment.Resources.Where(r => r.Locator == cluster && r.CreatedAt < DateTime.UtcNow.AddHours(-2)).ToList();
        Assert.Equal(2, wereLive.Count); // the cluster and its running period
        Assert.All(wereLive.Select(r => r.DeletedAt!.Value), ended => Assert.Equal(expected.UtcDateTime, ended, TimeSpan.FromSeconds(cloudWatchHasIt ? 1 : 30)));
        var log = await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[2]);
        Assert.Contains(cloudWatchHasIt ? "its last CPU reading in CloudWatch" : "nothing dates its deletion earlier", log);
        // Phase 7 will find no cluster to delete, so its pause schedule goes now.
        Assert.DoesNotContain(DeploymentNames.PauseScheduleOf(cluster), h.Cloud.PauseSchedules.Keys);
        Assert.Contains("pause schedule", log);
    }

    /// <summary>
    /// A cluster deleted in the console while paused reports no CPU since its pause: its storage is metered until the
    /// look that finds it gone, not until its last reading, which dates the pause.
    /// </summary>
    [Fact]
    public async Task A_cluster_deleted_outside_the_panel_while_paused_is_metered_until_the_look()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var id = await h.DeploymentIdAsync();
        var cluster = ResourceTags.Name(id);
        Assert.Equal("paused", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);
        await MadeRunAndPausedSixHoursAgoAsync(h, id, cluster);
        h.Cloud.CpuReportedUntil[cluster] = DateTimeOffset.UtcNow.AddHours(-6).AddMinutes(5); // its run's last reading, as it paused
        h.Cloud.Clusters.Remove(cluster);

        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));

        var (deployment, _) = (await h.Core.Store.GetWithRunsAsync(id))!.Value;
        var ended = deployment.Resources.Single(r => r.Kind == AwsResourceKinds.Cluster && r.Locator == cluster).DeletedAt;
        Assert.Equal(DateTime.UtcNow, ended!.Value, TimeSpan.FromSeconds(30));
        Assert.Contains("nothing dates its deletion earlier", await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[2]));
    }

    /// <summary>
    /// Phase 2 run again makes a cluster of the same name when its export is gone too: the meters price that one, once,
    /// and the first no more. With the export still there, no cluster is made at all.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_deleted_cluster_is_made_again_only_for_an_export_that_is_missing_and_then_metered_once(bool exportKept)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var cluster = await RunningClusterAsync(h);
        var oneRunning = Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftCluster).BurnRatePerHour;
        Assert.True(oneRunning > 0m);
        h.Cloud.Clusters.Remove(cluster);
        await h.Get<AwsReconciler>().ReconcileAsync(default);
        var id = await h.DeploymentIdAsync();
        await FirstLifeRanTwoHoursAsync(h, id);
        var names = new AwsNames(id, "123456789012", "us-east-2");
        if (!exportKept) await h.Cloud.Objects(names.AccountBucket, "").DeletePrefixAsync(names.ExportKey, default);
        Assert.Equal(exportKept, await h.Cloud.ObjectSizeAsync(names.AccountBucket, names.ExportKey, default) > 0);
        var callsBefore = h.Cloud.Calls.Count;

        var state = await h.Core.RunAsync(2);

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Equal(0m, Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftCluster).BurnRatePerHour); // paused at its end, or never made
        if (exportKept)
        {
            Assert.False(h.Cloud.Clusters.ContainsKey(cluster));
            Assert.DoesNotContain(h.Cloud.Calls.Skip(callsBefore), c => c.Contains("cluster", StringComparison.Ordinal));
            Assert.Contains("no cluster is made again", await h.Core.LogTextAsync(state));
            Assert.Equal((double)(2 * oneRunning), (double)Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftCluster).Accrued!, 0.01);
            return;
        }
        Assert.True(await h.Cloud.ObjectSizeAsync(names.AccountBucket, names.ExportKey, default) > 0);
        await ResumedAndMeteredAsync(h, cluster);
        var meter = Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftCluster);
        Assert.Equal(oneRunning, meter.BurnRatePerHour);
        Assert.Equal((double)(3 * oneRunning), (double)meter.Accrued!, 0.01); // the first life's two hours, and the hour to come
    }

    /// <summary>The deleted cluster's entries, moved back: it lived four hours, from four hours ago, and ran two of them.</summary>
    private static async Task FirstLifeRanTwoHoursAsync(AwsTargetHarness h, Guid id)
    {
        await using var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync();
        var now = DateTime.UtcNow;
        var ended = await db.Resources.Where(r => r.DeploymentId == id && r.DeletedAt != null
            && (r.Kind == AwsResourceKinds.Cluster || r.Kind == AwsResourceKinds.ClusterCompute)).OrderBy(r => r.CreatedAt).ToListAsync();
        Assert.Equal([AwsResourceKinds.Cluster, AwsResourceKinds.ClusterCompute, AwsResourceKinds.ClusterCompute], ended.Select(r => r.Kind));
        (ended[0].CreatedAt, ended[0].DeletedAt) = (now.AddHours(-4), now);
        (ended[1].CreatedAt, ended[1].DeletedAt) = (now.AddHours(-4), now.AddHours(-3));
        (ended[2].CreatedAt, ended[2].DeletedAt) = (now.AddHours(-1), now);
        await db.SaveChangesAsync();
    }

    /// <summary>Phases 1 and 2 done, then the cluster resumed and its nodes metered, as a phase 2 killed after resuming it leaves it.</summary>
    /// <summary>
    /// A cluster's running periods and its export's scan are meters, not things AWS holds: phase 7 neither lists them
    /// nor "deletes" them, and they end with their cluster, once it is gone. As plan items they were marked deleted
    /// whatever became of the cluster, so a running cluster phase 7 could not delete billed on unmetered.
    /// </summary>
    [Fact]
    public async Task A_running_cluster_phase_7_could_not_delete_stays_metered_and_its_meters_are_no_items_to_delete()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        await RunningClusterAsync(h);
        var id = await h.DeploymentIdAsync();
        var plan = (await h.Get<Cord19.Core.Execution.DeallocationPlanner>().PlanAsync(default))!;
        Assert.Contains(plan.Items, i => i.Kind == AwsResourceKinds.Cluster);
        Assert.DoesNotContain(plan.Items, i => i.Kind is AwsResourceKinds.ClusterCompute or AwsResourceKinds.SpectrumScan);

        h.Cloud.DeleteClusterFailure = FakeAwsCloud.Error("redshift:DeleteCluster", "AccessDenied", "not authorized to perform: redshift:DeleteCluster");
        var stuck = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        FailedSaying(stuck, AwsResourceKinds.Cluster, "run phase 7 again");
        Assert.DoesNotContain("Deleted spectrum-scan", await h.Core.LogTextAsync(stuck));
        Assert.True(Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftCluster).BurnRatePerHour > 0m); // still running, still metered

        h.Cloud.DeleteClusterFailure = null;
        var again = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());
        Succeeded(again, await h.Core.LogTextAsync(again));
        Assert.Empty(await h.Core.Store.GetLiveResourcesAsync(id));
        Assert.Equal(0m, Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftCluster).BurnRatePerHour);
    }

    /// <summary>The cluster made seven hours ago, and its one running period ended by a pause six hours ago.</summary>
    private static async Task MadeRunAndPausedSixHoursAgoAsync(AwsTargetHarness h, Guid id, string cluster)
    {
        await using var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync();
        await db.Resources.Where(r => r.DeploymentId == id && r.Locator == cluster)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.CreatedAt, DateTime.UtcNow.AddHours(-7))
                .SetProperty(x => x.DeletedAt, x => x.Kind == AwsResourceKinds.ClusterCompute ? DateTime.UtcNow.AddHours(-6) : null));
    }

    private static async Task<string> RunningClusterAsync(AwsTargetHarness h)
    {
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var cluster = ResourceTags.Name(await h.DeploymentIdAsync());
        await ResumedAndMeteredAsync(h, cluster);
        return cluster;
    }

    private static async Task ResumedAndMeteredAsync(AwsTargetHarness h, string cluster)
    {
        await h.Cloud.ResumeClusterAsync(cluster, default);
        await h.Core.Store.RecordResourceAsync((await h.Core.Store.GetSnapshotAsync())[2].LatestRun!.Key, AwsResourceKinds.ClusterCompute, cluster, "running");
    }
}
