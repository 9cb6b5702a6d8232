using Cord19.Core.Airflow;
using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Pipeline;
using Cord19.Core.Settings;
using Microsoft.EntityFrameworkCore;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Support.Aws.AwsTargetHarness;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// A spot interruption (or the instance's lifetime, or a person) ends the instance, not the deployment: phase 1 run
/// again launches a replacement under a token of its own, and the bucket, the parameters and the cluster with its export
/// stay, so a researcher does not pay for phase 2 twice.
/// </summary>
public sealed class AwsInstanceReplacementTests
{
    private const string SpotTermination = "Server.SpotInstanceTermination: Spot instance termination";

    private static async Task<(AwsTargetHarness H, AwsNames Names, string Interrupted)> InterruptedAfterPhaseFourAsync(
        double lifetimeHours = 8, TimeSpan? airflowReadyLimit = null)
    {
        var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, MaxLifetimeHours = lifetimeHours }, airflowReadyLimit);
        ReadyDags(h);
        h.Airflow.TasksOfNewRuns[PipelineDefinition.PreprocessingDag] = [new AirflowTaskInstance("preprocess", "success", 1, null, null, 2.0)];
        for (var phase = 1; phase <= 4; phase++) Succeeded(await h.Core.RunAsync(phase), "");
        var names = await h.NamesAsync();
        var (instance, spec) = h.Cloud.Instances[names.InstanceClientToken];
        h.Cloud.Instances[names.InstanceClientToken] = (instance with { State = "terminated", PublicIp = null, SpotState = "closed", StateReason = SpotTermination }, spec);
        return (h, names, instance.InstanceId);
    }

    /// <summary>
    /// EC2 may not list the replacement for a while after its launch (its API is eventually consistent): the wait is for
    /// the instance launched, not the deployment's newest listed one, which is the interrupted instance meanwhile.
    /// </summary>
    [Fact]
    public async Task A_replacement_EC2_does_not_list_yet_is_waited_for_rather_than_taken_for_the_interrupted_one()
    {
        var (h, names, interrupted) = await InterruptedAfterPhaseFourAsync();
        await using var _ = h;
        h.Cloud.NewInstanceUnlistedLooks = 3;

        var again = await h.Core.RunAsync(1);

        Succeeded(again, await h.Core.LogTextAsync(again));
        var replacement = h.Cloud.Instances[names.ReplacementClientToken(interrupted)].State;
        Assert.Contains($"Instance {replacement.InstanceId} running at", await h.Core.LogTextAsync(again));
    }

    [Fact]
    public async Task Phase_one_after_a_spot_interruption_launches_a_replacement_and_keeps_the_cluster_and_its_export()
    {
        var (h, names, interrupted) = await InterruptedAfterPhaseFourAsync();
        await using var _ = h;
        var cluster = Assert.Single(h.Cloud.Clusters.Keys);

        // Phase 4 again, as the panel asks once it finds the instance gone: it says what to run.
        FailedSaying(await h.Core.RunAsync(4), $"The instance {interrupted} is terminated", "Run phase 1 again for a replacement in this deployment", "then phase 3");
        var rest = (await h.Core.Store.GetLiveResourcesAsync(names.DeploymentId)).Where(r => r.Kind != AwsResourceKinds.Instance).Select(r => r.Id).ToList();
        var again = await h.Core.RunAsync(1);
        var log = await h.Core.LogTextAsync(again);

        Succeeded(again, log);
        Assert.Contains($"This deployment's instance {interrupted} is gone (it is terminated: AWS took the spot capacity back", log);
        Assert.Contains("run phase 3 again to install the DAGs on it", log);
        var replacement = h.Cloud.Instances[names.ReplacementClientToken(interrupted)].State;
        Assert.NotEqual(interrupted, replacement.InstanceId);
        Assert.Equal(2, h.Cloud.Instances.Count);
        Assert.Equal(cluster, Assert.Single(h.Cloud.Clusters.Keys)); // phase 2's work stays
        Assert.True(await h.Cloud.ObjectSizeAsync(names.AccountBucket, names.ExportKey, default) > 0);
        // Only the interrupted instance's entry ends: the bucket, group, parameters, roles and cluster stay in the ledger, metered.
        var liveAfter = (await h.Core.Store.GetLiveResourcesAsync(names.DeploymentId)).Select(r => r.Id).ToList();
        Assert.All(rest, id => Assert.Contains(id, liveAfter));

        // The ledger holds both lives, each under the token that launched it: the interrupted one ended, the replacement live.
        var lives = (await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources.Where(r => r.Kind == AwsResourceKinds.Instance).OrderBy(r => r.CreatedAt).ToList();
        Assert.Equal([names.InstanceClientToken, names.ReplacementClientToken(interrupted)], lives.Select(r => r.Locator));
        Assert.NotNull(lives[0].DeletedAt);
        Assert.Null(lives[1].DeletedAt);
        Assert.StartsWith($"{replacement.InstanceId} in {replacement.AvailabilityZone}:", lives[1].Description);
        // One instance bills: the meter's burn rate is one instance's, not two.
        var onePrice = Meter(await h.MetersInAnHourAsync(), MeterKind.Ec2Instance).BurnRatePerHour;
        Assert.True(onePrice > 0m);

        // Phase 1 again finds the replacement: no third instance. Its Airflow has no DAGs until phase 3 runs on it, which
        // phase 4 says rather than passing on Airflow's "DAG not found". Then the DAGs go onto it, and phase 4 runs there.
        Succeeded(await h.Core.RunAsync(1), "");
        Assert.Equal(2, h.Cloud.Instances.Count);
        FailedSaying(await h.Core.RunAsync(4), $"The instance {replacement.InstanceId} was launched at", "after phase 3 last installed the DAGs", "Run phase 3, then this phase");
        Assert.True((await StatusAsync(h)).AwaitsPhaseThree); // the AWS page says so too
        Assert.NotNull(await CardsHoldBackAsync(h)); // and the phase cards, from the ledger alone
        Succeeded(await h.Core.RunAsync(3), "");
        Assert.False((await StatusAsync(h)).AwaitsPhaseThree);
        Assert.Null(await CardsHoldBackAsync(h));
        Succeeded(await h.Core.RunAsync(4), "");
        Assert.Equal(onePrice, Meter(await h.MetersInAnHourAsync(), MeterKind.Ec2Instance).BurnRatePerHour);

        // Phase 7 ends what is left, both lives included.
        var end = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());
        Succeeded(end, await h.Core.LogTextAsync(end));
        Assert.All(h.Cloud.Instances.Values, i => Assert.True(i.State.HasEnded, i.State.InstanceId));
    }

    [Fact]
    public async Task A_replacement_launched_while_CloudWatch_cannot_date_the_interrupted_instance_ends_its_entry_at_the_launch()
    {
        var (h, names, interrupted) = await InterruptedAfterPhaseFourAsync();
        await using var _ = h;
        // A spot interruption gives EC2 no end time, so its end would be read from CloudWatch, which refuses now.
        h.Cloud.CpuReadingFailure = FakeAwsCloud.Error("cloudwatch:GetMetricStatistics", "Throttling", "Rate exceeded", System.Net.HttpStatusCode.BadRequest);
        var before = DateTime.UtcNow;

        Succeeded(await h.Core.RunAsync(1), "");

        // Ended now rather than left live: two instances are never metered as one.
        var lives = (await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources.Where(r => r.Kind == AwsResourceKinds.Instance).OrderBy(r => r.CreatedAt).ToList();
        Assert.Equal([names.InstanceClientToken, names.ReplacementClientToken(interrupted)], lives.Select(r => r.Locator));
        Assert.InRange(lives[0].DeletedAt ?? default, before, DateTime.UtcNow);
        Assert.Null(lives[1].DeletedAt);
    }

    /// <summary>What the Overview's cards go by: the store's snapshot, with no call to AWS.</summary>
    private static async Task<DateTime?> CardsHoldBackAsync(AwsTargetHarness h)
    {
        var snapshot = await h.Core.Store.GetSnapshotAsync();
        return DagsOnInstance.ReplacedAfterSetUp(snapshot.Resources, snapshot[3].LatestRun);
    }

    [Fact]
    public async Task A_replacement_the_guard_already_stopped_metering_is_launched_once_even_after_EC2_forgets_the_interrupted_instance()
    {
        var (h, names, interrupted) = await InterruptedAfterPhaseFourAsync();
        await using var _ = h;
        // The 5-minute look ended its entry; an hour later EC2 no longer lists it. Only the ledger remembers which it was.
        Assert.True(await h.Get<EndedInstanceGuard>().CheckAsync(default));
        h.Cloud.Instances.Remove(names.InstanceClientToken);

        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(1), "");

        Assert.True(h.Cloud.Instances.ContainsKey(names.ReplacementClientToken(interrupted)));
        Assert.Single(h.Cloud.Instances);
        var live = (await h.Core.Store.GetLiveResourcesAsync(names.DeploymentId)).Where(r => r.Kind == AwsResourceKinds.Instance).ToList();
        Assert.Equal(names.ReplacementClientToken(interrupted), Assert.Single(live).Locator);
    }

    /// <summary>
    /// The replacement may run in another zone, at another price: each instance is metered at the spot prices read for it,
    /// and the interrupted one keeps the prices it was billed at once the watcher reads the replacement's.
    /// </summary>
    [Fact]
    public async Task Each_instance_is_metered_at_the_live_spot_prices_read_for_it()
    {
        var (h, names, interrupted) = await InterruptedAfterPhaseFourAsync();
        await using var _ = h;
        var watcher = h.Get<SpotPriceWatcher>();
        var first = await InstanceEntryAsync(h, names.InstanceClientToken);
        h.Cloud.SpotHistory.Add(new PricePoint(first.CreatedAt.AddDays(-1), 0.0400m));
        // Read while the first ran (its entry still live: the guard has not looked since the interruption).
        await watcher.LookAsync(default);

        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.SpotHistory.Clear();
        h.Cloud.SpotHistory.Add(new PricePoint(DateTime.UtcNow.AddDays(-1), 0.0700m));
        await watcher.LookAsync(default);

        var replacement = await InstanceEntryAsync(h, names.ReplacementClientToken(interrupted));
        first = await InstanceEntryAsync(h, names.InstanceClientToken);
        var found = (await h.Core.Store.GetWithRunsAsync())!.Value;
        var meters = CostMeterService.Measure(found.Deployment, found.Runs, await h.Core.Settings.GetAsync(), DateTime.UtcNow.AddHours(1),
            h.Get<LiveSpotPrices>().Get(names.DeploymentId)).Resources.Where(r => r.Kind == MeterKind.Ec2Instance).ToList();

        Assert.Equal(2, meters.Count);
        // EC2 bills a minute at least.
        var firstHours = Math.Max((decimal)(first.DeletedAt!.Value - first.CreatedAt).TotalHours, 1m / 60);
        Assert.Contains(meters, m => m.BurnRatePerHour == 0m && Math.Abs(m.Accrued!.Value - firstHours * 0.0400m) < 0.000001m);
        Assert.Contains(meters, m => m.BurnRatePerHour == 0.0700m);
        Assert.Null(replacement.DeletedAt);
    }

    /// <summary>
    /// Live prices are kept in memory. After a restart, the interrupted instance's are read again in the zone its ledger
    /// entry names, though EC2 no longer lists it: it is not repriced at the price book's estimate.
    /// </summary>
    [Fact]
    public async Task After_a_restart_an_interrupted_instance_is_priced_again_from_its_zone_s_history()
    {
        var (h, names, interrupted) = await InterruptedAfterPhaseFourAsync();
        await using var _ = h;
        var zone = h.Cloud.Instances[names.InstanceClientToken].State.AvailabilityZone!;
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.Instances.Remove(names.InstanceClientToken); // EC2 lists a terminated instance for about an hour
        h.Cloud.SpotHistory.Add(new PricePoint(DateTime.UtcNow.AddDays(-1), 0.0700m));
        h.Cloud.SpotHistoryIn[zone] = [new PricePoint(DateTime.UtcNow.AddDays(-1), 0.0400m)];
        var first = await InstanceEntryAsync(h, names.InstanceClientToken);
        Assert.Equal(zone, InstanceEntry.Zone(first.Description));

        var restarted = new LiveSpotPrices();
        await new SpotPriceWatcher(h.Core.Store, h.Core.Settings, h.Get<IAwsCloudFactory>(), restarted,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SpotPriceWatcher>.Instance).LookAsync(default);

        Assert.Equal(2, restarted.Get(names.DeploymentId)!.Count);
        var found = (await h.Core.Store.GetWithRunsAsync())!.Value;
        var meters = CostMeterService.Measure(found.Deployment, found.Runs, await h.Core.Settings.GetAsync(), DateTime.UtcNow.AddHours(1),
            restarted.Get(names.DeploymentId)).Resources.Where(r => r.Kind == MeterKind.Ec2Instance).ToList();
        var firstHours = Math.Max((decimal)(first.DeletedAt!.Value - first.CreatedAt).TotalHours, 1m / 60); // a minute at least
        Assert.Contains(meters, m => m.BurnRatePerHour == 0m && Math.Abs(m.Accrued!.Value - firstHours * 0.0400m) < 0.000001m);
    }

    /// <summary>
    /// An interruption does not buy the instance a new lifetime: the replacement's first boot is given what is left of the
    /// deployment's (the budget guard counts it from the deployment's start too), and a launch with too little left for
    /// Airflow's first boot is refused with the fix, before anything is launched.
    /// </summary>
    /// <summary>
    /// Settings switched to the local target may have no lifetime; the live AWS deployment keeps the one its phase 1 gave,
    /// so a replacement launched now still ends itself with the deployment, panel or not.
    /// </summary>
    [Fact]
    public async Task A_replacement_launched_under_Settings_switched_to_local_without_a_lifetime_ends_with_the_deployment()
    {
        var (h, names, interrupted) = await InterruptedAfterPhaseFourAsync(lifetimeHours: 1);
        await using var _ = h;
        Assert.Empty(await h.Core.Settings.SaveAsync(new PipelineSettings { Target = DeploymentTarget.Local, MaxLifetimeHours = null, BudgetCapUsd = null }));

        var again = await h.Core.RunAsync(1);

        Succeeded(again, await h.Core.LogTextAsync(again));
        var userData = h.Cloud.Instances[names.ReplacementClientToken(interrupted)].Spec.UserData;
        Assert.Contains(InstanceEndOfLife.DeadlineFile, userData);
        Assert.Contains("when the deployment's maximum lifetime is up", await h.Core.LogTextAsync(again));
    }

    [Fact]
    public async Task A_replacement_is_given_what_is_left_of_the_deployment_s_lifetime()
    {
        var (h, names, interrupted) = await InterruptedAfterPhaseFourAsync(lifetimeHours: 1);
        await using var _ = h;
        var started = await StartedAgoAsync(h, TimeSpan.FromMinutes(20));

        var again = await h.Core.RunAsync(1);

        var log = await h.Core.LogTextAsync(again);
        Succeeded(again, log);
        var userData = h.Cloud.Instances[names.ReplacementClientToken(interrupted)].Spec.UserData;
        var given = long.Parse(System.Text.RegularExpressions.Regex.Match(userData, @"\$\(date \+%s\) \+ (\d+) \)\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var left = TimeSpan.FromHours(1) - (DateTime.UtcNow - started);
        Assert.InRange(given, left.TotalSeconds - 60, left.TotalSeconds + 1);
        Assert.Contains("after its first boot, when the deployment's maximum lifetime is up", log);
        var first = h.Cloud.Instances[names.InstanceClientToken].Spec.UserData;
        Assert.Contains("+ 3600 ))", first);
        // Found again by phase 1, it is said to end with the deployment, as the status and the phase 4-6 warning reckon it.
        Assert.Contains($"It ends itself about {started.AddHours(1):yyyy-MM-dd HH:mm} UTC", await h.Core.LogTextAsync(await h.Core.RunAsync(1)));
    }

    [Fact]
    public async Task A_replacement_with_too_little_of_the_deployment_s_lifetime_left_is_refused_before_any_launch()
    {
        // Airflow's first boot is given AWS's 30 minutes here (the harness's default is seconds).
        var (h, names, _) = await InterruptedAfterPhaseFourAsync(lifetimeHours: 1, airflowReadyLimit: TimeSpan.FromMinutes(30));
        await using var __ = h;
        await StartedAgoAsync(h, TimeSpan.FromMinutes(40)); // 20 minutes left, less than Airflow's first boot may take (30)
        var launches = h.Cloud.Calls.Count(c => c.StartsWith("run-instances", StringComparison.Ordinal));

        var again = await h.Core.RunAsync(1);

        FailedSaying(again, "The deployment's maximum lifetime (1 h from its start at", "a replacement would end itself before it is of use",
            "Raise the maximum lifetime in Settings", "or run phase 7");
        Assert.Equal(launches, h.Cloud.Calls.Count(c => c.StartsWith("run-instances", StringComparison.Ordinal)));
        Assert.DoesNotContain((await h.Core.Store.GetLiveResourcesAsync(names.DeploymentId)), r => r.Kind == AwsResourceKinds.Instance);
    }

    /// <summary>
    /// A replacement launched once the certificate's parameters were gone serves a new certificate (phase 1 makes one):
    /// the status monitor, which reads a certificate once, pins the replacement's, not the interrupted instance's.
    /// </summary>
    [Fact]
    public async Task The_status_pins_the_certificate_the_replacement_serves_not_the_one_its_predecessor_did()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var names = await h.NamesAsync();
        using var monitor = new AwsStatusMonitor(h.Cloud, h.Connector, h.Core.Store, h.Core.Settings, TimeProvider.System,
            TimeSpan.FromMilliseconds(20), h.Get<AwsTargetOptions>());
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var statuses = monitor.WatchAsync(names.DeploymentId, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await statuses.MoveNextAsync());
        Assert.Equal("healthy", statuses.Current.AirflowHealth);
        var (first, spec) = h.Cloud.Instances[names.InstanceClientToken];
        h.Cloud.Instances[names.InstanceClientToken] = (first with { State = "terminated", PublicIp = null, SpotState = "closed", StateReason = SpotTermination }, spec);
        h.Cloud.Secrets.Remove(names.AirflowCertificateParameter);
        h.Cloud.Secrets.Remove(names.AirflowTlsKeyParameter);

        Succeeded(await h.Core.RunAsync(1), "");

        var replacement = h.Cloud.Instances[names.ReplacementClientToken(first.InstanceId)].State.InstanceId;
        // A look may find it pending, before Airflow is asked: the one that asked it is the one to check.
        while (await statuses.MoveNextAsync() && (statuses.Current.Instance?.InstanceId != replacement || statuses.Current.AirflowHealth is null)) { }
        Assert.Equal((replacement, "healthy"), (statuses.Current.Instance?.InstanceId, statuses.Current.AirflowHealth));
        lock (h.Connector.Connections)
            Assert.Equal(AirflowCertificate.Sha256Of(h.Cloud.Secrets[names.AirflowCertificateParameter].Value), h.Connector.Connections.Last(c => c.Password is null).CertificateSha256);
    }

    [Fact]
    public async Task The_status_says_which_parameter_is_gone_when_the_certificate_cannot_be_pinned()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var names = await h.NamesAsync();
        h.Cloud.Secrets.Remove(names.AirflowCertificateParameter);

        var status = await StatusAsync(h);

        Assert.Equal($"The Airflow certificate parameter {names.AirflowCertificateParameter} is missing, so the panel cannot tell the instance's Airflow " +
            "from an impostor. Run phase 7, then phase 1.", status.AirflowHealth);
    }

    /// <summary>A first look of a new status monitor (one keeps what it looked up for a while).</summary>
    private static async Task<AwsStatus> StatusAsync(AwsTargetHarness h)
    {
        using var monitor = new AwsStatusMonitor(h.Cloud, h.Connector, h.Core.Store, h.Core.Settings, TimeProvider.System,
            TimeSpan.FromMilliseconds(20), h.Get<AwsTargetOptions>());
        return await AwsAirflowOutageTests.FirstStatusAsync(monitor, await h.DeploymentIdAsync());
    }

    /// <summary>The deployment's runs as if it had begun <paramref name="ago"/>; returns that start.</summary>
    private static async Task<DateTime> StartedAgoAsync(AwsTargetHarness h, TimeSpan ago)
    {
        var start = DateTime.UtcNow - ago;
        await using var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync();
        await db.PhaseRuns.ExecuteUpdateAsync(r => r.SetProperty(x => x.RequestedAt, start));
        return start;
    }

    private static async Task<DeployedResource> InstanceEntryAsync(AwsTargetHarness h, string token) =>
        (await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources.Single(r => r.Kind == AwsResourceKinds.Instance && r.Locator == token);

    /// <summary>
    /// The guard looks at the instance an entry recorded (by its token), not the deployment's newest: with a replacement
    /// running (launched by another panel on the same account, say) the interrupted one's entry still ends.
    /// </summary>
    [Fact]
    public async Task The_ended_instance_guard_ends_the_interrupted_entry_while_a_replacement_runs()
    {
        var (h, names, interrupted) = await InterruptedAfterPhaseFourAsync();
        await using var _ = h;
        var spec = h.Cloud.Instances[names.InstanceClientToken].Spec;
        await h.Cloud.RunSpotInstanceAsync(spec with { ClientToken = names.ReplacementClientToken(interrupted) }, default);

        Assert.True(await h.Get<EndedInstanceGuard>().CheckAsync(default));

        Assert.NotNull((await InstanceEntryAsync(h, names.InstanceClientToken)).DeletedAt);
    }

    private static readonly DeploymentNames Names = new(Guid.Parse("0b3c2c1e-5f7a-4d39-8a57-3f1c0a3f9d21"));

    private static ResourceView Life(string token, string? instanceId, bool ended, int minutesAgo) =>
        new(Guid.NewGuid(), AwsResourceKinds.Instance, token, instanceId is null ? "m5.xlarge spot" : InstanceEntry.Description(instanceId, "us-east-2a", "m5.xlarge spot"),
            DateTime.UtcNow.AddMinutes(-minutesAgo), ended ? DateTime.UtcNow.AddMinutes(-1) : null);

    private static InstanceState Listed(string id, string state, string? token = null) => new(id, state, null, null, null, null) { ClientToken = token };

    public static TheoryData<string, InstanceLaunch> Cases => new()
    {
        { "first launch", new(Names.InstanceClientToken, null) },
        { "launched, listed live", new(Names.InstanceClientToken, null) },
        { "launched a moment ago, not listed yet", new(Names.InstanceClientToken, null) },
        { "interrupted, listed", new(Names.ReplacementClientToken("i-0aaa"), "i-0aaa") },
        { "interrupted, its entry ended, no longer listed", new(Names.ReplacementClientToken("i-0aaa"), "i-0aaa") },
        { "replacement recorded, not listed yet, the interrupted one still listed", new(Names.ReplacementClientToken("i-0aaa"), "i-0aaa") },
        { "replacement refused for want of spot room", new(Names.ReplacementClientToken("i-0aaa"), null) },
        { "first launch refused", new(Names.InstanceClientToken, null) },
        { "the replacement interrupted too", new(Names.ReplacementClientToken("i-0bbb"), "i-0bbb") },
        { "a replacement running, its entry ended by hand", new(Names.ReplacementClientToken("i-0aaa"), null) },
    };

    /// <summary>RunInstances' ClientToken: "Maximum 64 ASCII characters" (botocore's EC2 model); a replacement's names a 17-digit instance id.</summary>
    [Fact]
    public void A_replacement_token_fits_EC2s_limit() =>
        Assert.InRange(Names.ReplacementClientToken("i-0123456789abcdef0").Length, 1, 64);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_launch_has_its_token_and_a_repeated_one_the_same(string situation, InstanceLaunch expected)
    {
        var (listed, lives) = Situation(situation);

        Assert.Equal(expected, InstanceLaunch.For(Names, listed, lives));
    }

    private static (InstanceState? Listed, ResourceView[] Lives) Situation(string situation)
    {
        var first = Names.InstanceClientToken;
        var second = Names.ReplacementClientToken("i-0aaa");
        return situation switch
        {
            "first launch" => (null, []),
            "launched, listed live" => (Listed("i-0aaa", "running"), [Life(first, "i-0aaa", false, 30)]),
            "launched a moment ago, not listed yet" => (null, [Life(first, "i-0aaa", false, 1)]),
            "interrupted, listed" => (Listed("i-0aaa", "terminated"), [Life(first, "i-0aaa", false, 30)]),
            "interrupted, its entry ended, no longer listed" => (null, [Life(first, "i-0aaa", true, 90)]),
            "replacement recorded, not listed yet, the interrupted one still listed" => (Listed("i-0aaa", "terminated"), [Life(first, "i-0aaa", true, 90), Life(second, null, false, 1)]),
            "replacement refused for want of spot room" => (null, [Life(first, "i-0aaa", true, 90), Life(second, null, true, 5)]),
            "first launch refused" => (null, [Life(first, null, true, 5)]),
            "the replacement interrupted too" => (null, [Life(first, "i-0aaa", true, 90), Life(second, "i-0bbb", true, 30)]),
            // EC2 names the token that launched it; the ledger's latest entry is the first instance's.
            "a replacement running, its entry ended by hand" => (Listed("i-0bbb", "running", second), [Life(first, "i-0aaa", true, 90)]),
            _ => throw new ArgumentOutOfRangeException(nameof(situation)),
        };
    }
}
