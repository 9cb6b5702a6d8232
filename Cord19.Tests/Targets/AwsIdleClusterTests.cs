using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using Microsoft.EntityFrameworkCore;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// The cluster guard's looks: a cluster running with no phase 2 to use it is paused, and one Redshift's scheduler (or
/// someone) paused while the panel was away is metered for its storage only, from when its CPU readings stop.
/// </summary>
public sealed class AwsIdleClusterTests
{
    /// <summary>Start-up reconciliation and the look every 5 minutes pause through the same guard, and are held to the same account.</summary>
    [Theory]
    [InlineData("start-up reconciliation")]
    [InlineData("the look every 5 minutes")]
    public async Task A_cluster_running_with_no_phase_two_to_use_it_is_paused_once_available(string look)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Func<Task<bool>> pausedByLook = look == "start-up reconciliation"
            ? async () => (await h.Get<AwsReconciler>().ReconcileAsync(default)).PausedCluster
            : () => h.Get<ClusterGuard>().CheckAsync(default);
        Assert.False(await pausedByLook()); // no deployment yet
        Succeeded(await h.Core.RunAsync(1), "");
        Assert.False(await pausedByLook()); // no cluster yet
        var id = await h.DeploymentIdAsync();
        var cluster = new AwsNames(id, "123456789012", "us-east-2").Cluster;

        // Phase 2 at work (its export held): its cluster is left alone.
        h.Cloud.UnloadHold = new TaskCompletionSource();
        var export = await h.Core.Phases.RequestAsync(new RunRequest(2));
        await h.Cloud.UnloadReached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var pausedDuringPhaseTwo = await pausedByLook();
        var callsDuringPhaseTwo = h.Cloud.Calls.ToList(); // read before phase 2 goes on to its own pause
        h.Cloud.UnloadHold.SetResult(); // before asserting: a held phase 2 would keep the harness from ending
        Assert.False(pausedDuringPhaseTwo);
        Assert.DoesNotContain($"pause cluster {cluster}", callsDuringPhaseTwo);
        await h.Core.Scheduler.WaitAsync(export.Run!.Id);
        Succeeded((await h.Core.Store.GetSnapshotAsync())[2], "");

        // As a panel killed inside a phase 2 run again leaves it, or a phase 2 that stopped while the cluster was
        // resuming (or being created): billed per node-hour, no phase 2 running, and not pausable yet.
        await h.Cloud.ResumeClusterAsync(cluster, default);
        await h.Core.Store.RecordResourceAsync(export.Run.Key, AwsResourceKinds.ClusterCompute, cluster, "running");
        Assert.False(await pausedByLook());
        Assert.Equal("available", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);

        // The next look finds it available with no phase 2 to use it: paused, and its nodes no longer metered.
        Assert.True(await pausedByLook());
        Assert.Equal("pausing", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);
        Assert.DoesNotContain(await h.Core.Store.GetLiveResourcesAsync(id), r => r.Kind == AwsResourceKinds.ClusterCompute);
        Assert.Contains(await h.Core.Store.GetLogAsync(export.Run.Id),
            l => l.Step == "idle-cluster" && l.Message.Contains("with no phase 2 to use it") && l.Message.Contains("being created"));
        Assert.False(await pausedByLook());
    }

    /// <summary>
    /// A phase 2 left "running" by an instance that is gone (killed, its container replaced) kept its cluster from being
    /// paused for ever; once that instance has fallen silent its phase is ended, and the cluster is paused.
    /// </summary>
    [Fact]
    public async Task A_cluster_whose_phase_two_ran_on_an_instance_that_fell_silent_is_paused()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var cluster = (await h.NamesAsync()).Cluster;
        // Another instance resumed the cluster in a phase 2 and was killed there.
        var other = h.Core.StoreOfInstance("panel-b");
        await other.RecordAliveAsync();
        var orphaned = await h.Core.StartedWithoutAJobAsync(Phase.Warehouse, other);
        await h.Cloud.ResumeClusterAsync(cluster, default);
        await h.Core.Store.RecordResourceAsync(orphaned.Key, AwsResourceKinds.ClusterCompute, cluster, "running");
        var guard = h.Get<ClusterGuard>();
        for (var look = 0; look < 3; look++)
            Assert.False(await guard.CheckAsync(default)); // phase 2 is running: the cluster is its own

        await Task.Delay(10);
        Assert.Single(await h.Core.Store.InterruptRunsOfSilentInstancesAsync(TimeSpan.FromMilliseconds(1)));

        Assert.False(await guard.CheckAsync(default)); // still resuming
        Assert.True(await guard.CheckAsync(default));
        Assert.Equal("pausing", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);
    }

    /// <summary>
    /// Metered until the end of its last CPU reading in CloudWatch (a paused cluster reports none) and the pause's slack,
    /// not for the hours until the panel looked; without a reading, until the look. A cluster the look finds still
    /// pausing is dated the same way: its nodes stop billing as the pause ends, minutes later.
    /// </summary>
    [Theory]
    [InlineData(true, "paused")]
    [InlineData(false, "paused")]
    [InlineData(true, "pausing")]
    public async Task A_cluster_Redshifts_scheduler_paused_while_the_panel_was_away_is_no_longer_metered_as_running(bool cloudWatchHasIt, string status)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var id = await h.DeploymentIdAsync();
        var cluster = new AwsNames(id, "123456789012", "us-east-2").Cluster;
        var phaseTwo = (await h.Core.Store.GetSnapshotAsync())[2].LatestRun!;
        // The panel saw the cluster running (a phase 2 killed after resuming it), then was away while the scheduled pause acted.
        var running = await h.Core.Store.RecordResourceAsync(phaseTwo.Key, AwsResourceKinds.ClusterCompute, cluster, "running");
        await using (var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync())
            await db.Resources.Where(r => r.DeploymentId == id && r.Kind == AwsResourceKinds.ClusterCompute && r.DeletedAt == null)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.CreatedAt, DateTime.UtcNow.AddHours(-12)));
        var cpuReportedUntil = DateTimeOffset.UtcNow.AddHours(-10); // the scheduled pause acted two hours after the resume
        if (cloudWatchHasIt) h.Cloud.CpuReportedUntil[cluster] = cpuReportedUntil;
        Assert.Equal("paused", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);
        // CloudWatch refusing: still metered, for a later look to date.
        h.Cloud.CpuReadingFailure = FakeAwsCloud.Error("cloudwatch:GetMetricStatistics", "Throttling", "Rate exceeded", System.Net.HttpStatusCode.BadRequest);
        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));
        Assert.Contains(await h.Core.Store.GetLiveResourcesAsync(id), r => r.Kind == AwsResourceKinds.ClusterCompute);
        h.Cloud.CpuReadingFailure = null;
        if (status == "pausing") h.Cloud.Clusters[cluster] = h.Cloud.Clusters[cluster] with { State = h.Cloud.Clusters[cluster].State with { Status = "pausing" }, Looks = 0 };
        var callsBefore = h.Cloud.Calls.Count;

        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));

        Assert.DoesNotContain(h.Cloud.Calls.Skip(callsBefore), c => c.StartsWith("pause cluster", StringComparison.Ordinal));
        Assert.DoesNotContain(await h.Core.Store.GetLiveResourcesAsync(id), r => r.Kind == AwsResourceKinds.ClusterCompute);
        var (deployment, _) = (await h.Core.Store.GetWithRunsAsync(id))!.Value;
        var stopped = deployment.Resources.Single(r => r.Id == running.Id).DeletedAt!.Value;
        var expected = cloudWatchHasIt ? cpuReportedUntil + ClusterGuard.PauseSlack : DateTimeOffset.UtcNow;
        Assert.Equal(expected.UtcDateTime, stopped, TimeSpan.FromSeconds(cloudWatchHasIt ? 1 : 30));
        Assert.Contains(await h.Core.Store.GetLogAsync(phaseTwo.Id), l => l.Step == "idle-cluster" && l.Message.Contains("found paused")
            && l.Message.Contains(cloudWatchHasIt ? "its last CPU reading in CloudWatch" : "CloudWatch has no reading", StringComparison.Ordinal));
        // Nothing more to say on the next look.
        var lines = (await h.Core.Store.GetLogAsync(phaseTwo.Id)).Count;
        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));
        Assert.Equal(lines, (await h.Core.Store.GetLogAsync(phaseTwo.Id)).Count);
    }
}
