using Cord19.Core.Deployments;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using Microsoft.EntityFrameworkCore;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// An instance AWS ended (its lifetime, a spot interruption, a person) while the panel was away or watching: it stops
/// being metered from when it ended, dated by EC2's stated time, else its last CPU reading in CloudWatch, else a later look.
/// </summary>
public sealed class AwsEndedInstanceTests
{
    [Fact]
    public async Task An_instance_EC2_ends_before_it_runs_fails_phase_one_at_once_with_AWSs_reason()
    {
        // Running without its address for now, so phase 1 is still waiting when EC2 takes the instance back.
        await using var h = await AwsTargetHarness.StartAsync(addresslessGrace: TimeSpan.FromSeconds(30));
        h.Cloud.PublicAddressLag = int.MaxValue;
        var interrupted = Task.Run(async () =>
        {
            await Support.Until.TrueAsync(() => h.Cloud.Instances.Values.Any(i => i.State.State == "running"), "the launch to run");
            var (token, (state, spec)) = h.Cloud.Instances.Single();
            h.Cloud.Instances[token] = (state with { State = "terminated", SpotState = "closed", StateReason = "Server.SpotInstanceTermination: Spot instance termination" }, spec);
        });

        var phase = await h.Core.RunAsync(1);
        await interrupted;

        FailedSaying(phase, "is terminated: ", "Spot instance termination", "(spot request closed). Run phase 1 again for a replacement in this deployment");
        Assert.DoesNotContain(h.Airflow.Calls, c => c == "health");
    }

    [Fact]
    public async Task An_instance_that_ended_itself_while_the_panel_was_away_is_forgotten_with_the_reason()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        // Launched three days ago with Settings' 8-hour lifetime; the panel comes back only now.
        var launched = await LaunchedDaysAgoAsync(h, days: 3);
        InstanceBecomes(h, launched, i => i with
        {
            State = "terminated", StateReason = "Client.InstanceInitiatedShutdown: Instance initiated shutdown", LaunchedAt = launched.At,
        });

        Assert.Equal(new AwsReconciler.Report(0, 1), await h.Get<AwsReconciler>().ReconcileAsync(default));

        Assert.DoesNotContain(await h.Core.Store.GetLiveResourcesAsync(launched.DeploymentId), r => r.Kind == AwsResourceKinds.Instance);
        await LoggedAsync(h, launched, "is terminated: it shut itself down, as it does at the deployment's maximum lifetime", "its maximum lifetime's deadline");
        // Metered (instance, volume, address) until its deadline and the slack, not for the three days until this look.
        Assert.Equal((launched.At + TimeSpan.FromHours(8) + InstanceEndOfLife.Slack).UtcDateTime, await InstanceEntryEndAsync(h, launched), TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// EC2 lists a terminated instance for about an hour. A panel away longer finds nothing; CloudWatch still holds the
    /// instance's last CPU reading, which bounds when it stopped billing.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_instance_AWS_no_longer_lists_is_metered_until_its_last_CPU_reading_or_else_until_now(bool cloudWatchHasIt)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 3);
        var cpuReportedUntil = launched.At + TimeSpan.FromHours(2);
        if (cloudWatchHasIt) h.Cloud.CpuReportedUntil[InstanceIdOf(h, launched)] = cpuReportedUntil;
        h.Cloud.Instances.Remove(launched.Token);

        Assert.Equal(new AwsReconciler.Report(0, 1), await h.Get<AwsReconciler>().ReconcileAsync(default));

        var expected = cloudWatchHasIt ? cpuReportedUntil + InstanceEndOfLife.Slack : DateTimeOffset.UtcNow;
        Assert.Equal(expected.UtcDateTime, await InstanceEntryEndAsync(h, launched), TimeSpan.FromSeconds(cloudWatchHasIt ? 1 : 30));
        await LoggedAsync(h, launched, "AWS does not list it any more", cloudWatchHasIt ? "its last CPU reading in CloudWatch" : "AWS gives no time");
    }

    /// <summary>
    /// EC2's listings are eventually consistent: a running instance one look misses still reports its CPU, so it stays
    /// metered; once its readings stop, the next look ends it, dated by them.
    /// </summary>
    [Fact]
    public async Task An_instance_missing_from_one_listing_while_it_still_reports_its_CPU_stays_metered_until_its_readings_stop()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 1);
        var id = InstanceIdOf(h, launched);
        h.Cloud.CpuReportedUntil[id] = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5);
        h.Cloud.Instances.Remove(launched.Token);
        var guard = h.Get<EndedInstanceGuard>();

        Assert.False(await guard.CheckAsync(default));
        Assert.Contains(await h.Core.Store.GetLiveResourcesAsync(launched.DeploymentId), r => r.Kind == AwsResourceKinds.Instance);

        var lastReading = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(40);
        h.Cloud.CpuReportedUntil[id] = lastReading;
        Assert.True(await guard.CheckAsync(default));
        Assert.Equal((lastReading + InstanceEndOfLife.Slack).UtcDateTime, await InstanceEntryEndAsync(h, launched), TimeSpan.FromSeconds(1));
        await LoggedAsync(h, launched, "AWS does not list it any more", "its last CPU reading in CloudWatch");
    }

    /// <summary>
    /// Listed as terminated, it has ended, however recent its last reading: a reading within the slack dates its end now,
    /// rather than leave it metered until a later look.
    /// </summary>
    [Theory]
    [InlineData(50)]
    [InlineData(3)]
    public async Task A_spot_interruption_EC2_gives_no_time_for_is_dated_by_the_instance_s_last_CPU_reading(int minutesAgo)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 1);
        InstanceBecomes(h, launched, i => i with { State = "terminated", StateReason = "Server.SpotInstanceTermination: Spot instance termination" });
        var cpuReportedUntil = DateTimeOffset.UtcNow.AddMinutes(-minutesAgo);
        h.Cloud.CpuReportedUntil[InstanceIdOf(h, launched)] = cpuReportedUntil;

        Assert.True(await h.Get<EndedInstanceGuard>().CheckAsync(default));

        var until = cpuReportedUntil + InstanceEndOfLife.Slack < DateTimeOffset.UtcNow ? cpuReportedUntil + InstanceEndOfLife.Slack : DateTimeOffset.UtcNow;
        Assert.Equal(until.UtcDateTime, await InstanceEntryEndAsync(h, launched), TimeSpan.FromSeconds(5));
        await LoggedAsync(h, launched, "a spot interruption", "its last CPU reading");
    }

    [Fact]
    public async Task When_CloudWatch_cannot_be_asked_the_instance_stays_metered_until_a_later_look_can_date_its_end()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 2);
        h.Cloud.CpuReportedUntil[InstanceIdOf(h, launched)] = launched.At + TimeSpan.FromHours(8);
        h.Cloud.Instances.Remove(launched.Token);
        h.Cloud.CpuReadingFailure = FakeAwsCloud.Error("cloudwatch:GetMetricStatistics", "AccessDenied", "not authorized", System.Net.HttpStatusCode.Forbidden);

        Assert.Equal(new AwsReconciler.Report(0, 0), await h.Get<AwsReconciler>().ReconcileAsync(default)); // the rest of it still done
        Assert.Contains(await h.Core.Store.GetLiveResourcesAsync(launched.DeploymentId), r => r.Kind == AwsResourceKinds.Instance);

        h.Cloud.CpuReadingFailure = null;
        Assert.True(await h.Get<EndedInstanceGuard>().CheckAsync(default));
        Assert.Equal((launched.At + TimeSpan.FromHours(8) + InstanceEndOfLife.Slack).UtcDateTime,
            await InstanceEntryEndAsync(h, launched), TimeSpan.FromSeconds(1));
    }

    /// <summary>While the panel runs, its look every 5 minutes stops metering an instance a person (or AWS) ended, from the time EC2 gives.</summary>
    [Fact]
    public async Task While_the_panel_runs_an_instance_someone_terminated_stops_being_metered_from_the_time_EC2_gives()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 1);
        var guard = h.Get<EndedInstanceGuard>();
        Assert.False(await guard.CheckAsync(default)); // running: nothing to do

        var terminatedAt = DateTimeOffset.UtcNow.AddHours(-3);
        InstanceBecomes(h, launched, i => i with
        {
            State = "terminated", StateReason = "Client.UserInitiatedShutdown: User initiated shutdown",
            EndStatedAt = InstanceState.StatedTime($"User initiated ({terminatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} GMT)"),
        });
        // EC2's time needs no CloudWatch: a CloudWatch that cannot be asked does not hold the look back.
        h.Cloud.CpuReadingFailure = FakeAwsCloud.Error("cloudwatch:GetMetricStatistics", "AccessDenied", "not authorized", System.Net.HttpStatusCode.Forbidden);

        Assert.True(await guard.CheckAsync(default));
        Assert.False(await guard.CheckAsync(default)); // once

        Assert.Equal((terminatedAt + InstanceEndOfLife.Slack).UtcDateTime, await InstanceEntryEndAsync(h, launched), TimeSpan.FromSeconds(1));
        await LoggedAsync(h, launched, $"someone ended it through EC2's console or API at {terminatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC", "the time EC2 gives for its end");
        // The meter no longer counts it: nothing of the instance (compute, volume, address) burns any more.
        var costs = await h.Core.Meter.TickAsync();
        var instanceMeters = costs.Resources.Where(r => r.Kind is Core.Costs.MeterKind.Ec2Instance or Core.Costs.MeterKind.EbsVolume or Core.Costs.MeterKind.PublicIpv4).ToList();
        Assert.Equal(3, instanceMeters.Count);
        Assert.All(instanceMeters, r => Assert.Equal(0m, r.BurnRatePerHour));
    }

    /// <summary>The line saying why the instance is no longer metered goes to the latest run's log, the one the Overview shows.</summary>
    [Fact]
    public async Task The_ended_instance_is_told_in_the_latest_runs_log()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 1);
        var phaseTwo = await h.Core.RunAsync(2);
        Succeeded(phaseTwo, "");
        h.Cloud.Instances.Remove(launched.Token);

        Assert.True(await h.Get<EndedInstanceGuard>().CheckAsync(default));

        Assert.Contains(await h.Core.Store.GetLogAsync(phaseTwo.LatestRun!.Id), l => l.Step == "instance-ended");
        Assert.DoesNotContain(await h.Core.Store.GetLogAsync(launched.PhaseOne.LatestRun!.Id), l => l.Step == "instance-ended");
    }

    /// <summary>
    /// Phase 1 run again (after an interruption, say) records its new instance before launching it and deals with the
    /// old one itself: the look leaves the deployment's instance to it, whatever the runs before it.
    /// </summary>
    [Fact]
    public async Task While_phase_1_runs_again_the_look_leaves_the_instance_to_it()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 1);
        InstanceBecomes(h, launched, i => i with { State = "terminated", StateReason = "Server.SpotInstanceTermination: Spot instance termination" });
        await h.Core.StartedWithoutAJobAsync(1);

        Assert.False(await h.Get<EndedInstanceGuard>().CheckAsync(default));

        Assert.Contains(await h.Core.Store.GetLiveResourcesAsync(launched.DeploymentId), r => r.Kind == AwsResourceKinds.Instance);
    }

    /// <summary>
    /// EC2 has forgotten the entry's instance (it lists a terminated one for about an hour) but lists another of the
    /// deployment, launched under another token (by hand, say): the entry's instance is the one gone, not the other.
    /// </summary>
    [Fact]
    public async Task An_instance_EC2_forgot_beside_another_of_the_deployment_is_ended_and_the_other_is_not_taken_for_it()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 1);
        var (instance, spec) = h.Cloud.Instances[launched.Token];
        h.Cloud.Instances.Remove(launched.Token);
        h.Cloud.Instances["launched-by-hand"] = (instance with { InstanceId = "i-0byhand", ClientToken = "launched-by-hand" }, spec);

        Assert.True(await h.Get<EndedInstanceGuard>().CheckAsync(default));

        await LoggedAsync(h, launched, "AWS does not list it any more", "AWS gives no time");
    }

    /// <summary>
    /// Where EC2 reports no client tokens (an emulator), the entry's instance is the deployment's newest that has not ended:
    /// a running one is neither ended for want of a token nor taken for a newer one of the deployment that ended.
    /// </summary>
    [Fact]
    public async Task Without_client_tokens_the_deployments_running_instance_stays_metered_beside_a_newer_ended_one()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 1);
        InstanceBecomes(h, launched, i => i with { ClientToken = null, LaunchedAt = launched.At });
        var (instance, spec) = h.Cloud.Instances[launched.Token];
        h.Cloud.Instances["launched-by-hand"] = (instance with
        {
            InstanceId = "i-0byhand", State = "terminated", LaunchedAt = DateTimeOffset.UtcNow.AddHours(-1),
            StateReason = "Client.UserInitiatedShutdown: User initiated shutdown",
        }, spec);

        Assert.False(await h.Get<EndedInstanceGuard>().CheckAsync(default));

        Assert.Contains(await h.Core.Store.GetLiveResourcesAsync(launched.DeploymentId), r => r.Kind == AwsResourceKinds.Instance);
    }

    [Fact]
    public void EC2s_stated_time_is_read_in_GMT_or_UTC_and_only_there()
    {
        var at = new DateTimeOffset(2026, 12, 3, 10, 4, 5, TimeSpan.Zero);
        Assert.Equal(at, InstanceState.StatedTime("User initiated (2026-12-03 10:04:05 GMT)"));
        Assert.Equal(at, InstanceState.StatedTime("User initiated (2026-12-03 10:04:05 UTC)")); // moto's
        Assert.Equal(at, InstanceState.StatedTime("Server.SpotInstanceTermination: Marked for termination (2026-12-03 10:04:05 GMT)"));
        Assert.Null(InstanceState.StatedTime("Client.InstanceInitiatedShutdown: Instance initiated shutdown"));
        Assert.Null(InstanceState.StatedTime(""));
        Assert.Null(InstanceState.StatedTime(null));

        var launched = InstanceEntry.Description("i-0abc123", "us-east-2b", "t3.large spot, max $0.05/h");
        Assert.Equal(("i-0abc123", "us-east-2b"), (InstanceEntry.InstanceId(launched), InstanceEntry.Zone(launched)));
        var earlierVersion = InstanceEntry.Description("i-0abc123", null, "t3.large spot");
        Assert.Equal(("i-0abc123", null), (InstanceEntry.InstanceId(earlierVersion), InstanceEntry.Zone(earlierVersion)));
        Assert.Null(InstanceEntry.InstanceId("t3.large spot, max $0.05/h")); // recorded before the launch
        Assert.Null(InstanceEntry.Zone("t3.large spot in us-east-2b, max $0.05/h"));
    }

    [Fact]
    public void An_end_whose_slack_has_not_passed_is_metered_until_now_and_says_why()
    {
        var now = DateTimeOffset.UtcNow;
        var ended = new InstanceState("i-1", "terminated", null, null, null, "Client.UserInitiatedShutdown: User initiated shutdown") { EndStatedAt = now.AddMinutes(-2) };

        var (until, evidence) = EndedInstanceGuard.MeteredUntil(ended, cpuReportedUntil: null, runs: [], now);

        Assert.Equal(now, until);
        Assert.Equal("now, as the time EC2 gives for its end and 10 minutes for its shutdown and termination is not past yet", evidence);
    }

    /// <summary>Phase 1's run, and its instance, whose ledger is dated as if launched <see cref="At"/>.</summary>
    private sealed record LaunchedInstance(PhaseState PhaseOne, Guid DeploymentId, string Token, DateTimeOffset At);

    /// <summary>Runs phase 1 and dates the deployment's ledger as if its instance had launched <paramref name="days"/> ago.</summary>
    private static async Task<LaunchedInstance> LaunchedDaysAgoAsync(AwsTargetHarness h, int days)
    {
        var phaseOne = await h.Core.RunAsync(1);
        Succeeded(phaseOne, "");
        var id = await h.DeploymentIdAsync();
        var launched = DateTimeOffset.UtcNow.AddDays(-days);
        await using var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync();
        await db.Resources.Where(r => r.DeploymentId == id).ExecuteUpdateAsync(r => r.SetProperty(x => x.CreatedAt, launched.UtcDateTime.AddSeconds(-5)));
        return new(phaseOne, id, new AwsNames(id, "123456789012", "us-east-2").InstanceClientToken, launched);
    }

    /// <summary>What EC2 says of the instance changes behind the panel's back.</summary>
    private static void InstanceBecomes(AwsTargetHarness h, LaunchedInstance launched, Func<InstanceState, InstanceState> change)
    {
        var (instance, spec) = h.Cloud.Instances[launched.Token];
        h.Cloud.Instances[launched.Token] = (change(instance), spec);
    }

    private static string InstanceIdOf(AwsTargetHarness h, LaunchedInstance launched) => h.Cloud.Instances[launched.Token].State.InstanceId;

    private static async Task<DateTime> InstanceEntryEndAsync(AwsTargetHarness h, LaunchedInstance launched)
    {
        var (deployment, _) = (await h.Core.Store.GetWithRunsAsync(launched.DeploymentId))!.Value;
        return deployment.Resources.Single(r => r.Kind == AwsResourceKinds.Instance).DeletedAt!.Value;
    }

    /// <summary>Phase 1's log says why the instance is no longer metered, and by what it was dated.</summary>
    private static async Task LoggedAsync(AwsTargetHarness h, LaunchedInstance launched, string why, string evidence) =>
        Assert.Contains(await h.Core.Store.GetLogAsync(launched.PhaseOne.LatestRun!.Id), l => l.Step == "instance-ended"
            && l.Message.Contains(why, StringComparison.Ordinal) && l.Message.Contains(evidence, StringComparison.Ordinal));
}
