using Cord19.Core.Aws;
using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using Microsoft.EntityFrameworkCore;
using static Cord19.Tests.Support.Aws.AwsTargetHarness;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// Settings' fallback instance types: when no zone has spot room for the first choice within the max (or sells it
/// within the max), phase 1 asks for the next type, under the same token; the ledger, the meter and the live spot
/// prices then go by the type launched. A fallback that could never launch stops phase 1 before anything is created.
/// </summary>
public sealed class AwsInstanceTypeFallbackTests
{
    private static AwsException NoRoom => FakeAwsCloud.Error("ec2:RunInstances", "InsufficientInstanceCapacity",
        "There is no Spot capacity available that matches your request.");

    [Fact]
    public async Task Without_spot_room_for_the_first_choice_the_next_type_with_room_is_launched_and_metered_as_itself()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.RunInstancesFailureFor["m5.xlarge"] = NoRoom;
        h.Cloud.RunInstancesFailureFor["m6i.xlarge"] = NoRoom;

        var state = await h.Core.RunAsync(1);

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Equal<string>([.. Zones("m5.xlarge"), .. Zones("m6i.xlarge"), "run-instances m5a.xlarge in us-east-2a"], RunInstancesCalls(h));
        var (_, spec) = Assert.Single(h.Cloud.Instances.Values);
        Assert.Equal(("m5a.xlarge", (await h.NamesAsync()).InstanceClientToken), (spec.InstanceType, spec.ClientToken));
        var log = await h.Core.LogTextAsync(state);
        Assert.Contains("m5.xlarge: AWS has no room for ec2:RunInstances (InsufficientInstanceCapacity): There is no Spot capacity available that matches your request. " +
            "Asking for m6i.xlarge, the next of Settings' fallback instance types.", log);
        Assert.Contains("Asking for m5a.xlarge, the next of Settings' fallback instance types.", log);
        Assert.Contains("m5a.xlarge, IMDSv2 required", log);

        var entry = (await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources.Single(r => r.Kind == AwsResourceKinds.Instance);
        Assert.Equal("m5a.xlarge", InstanceEntry.InstanceType(entry.Description));
        var meter = Meter(await h.MetersInAnHourAsync(), MeterKind.Ec2Instance);
        Assert.Equal(("EC2 spot instance (m5a.xlarge)", PriceOf("ec2.spot.m5a.xlarge")), (meter.Name, meter.BurnRatePerHour));
        Assert.NotEqual(PriceOf("ec2.spot.m5.xlarge"), meter.BurnRatePerHour);

        await h.Get<SpotPriceWatcher>().LookAsync(default);
        Assert.Contains("spot price history m5a.xlarge us-east-2a", h.Cloud.Calls);
    }

    /// <summary>
    /// A crash between a fallback's launch and its record leaves the entry naming the first choice (recorded just before
    /// the launch): the live prices are read for the type EC2 says it launched.
    /// </summary>
    [Fact]
    public async Task The_live_spot_prices_are_the_type_EC2_launched_even_where_a_crash_kept_the_entry_from_naming_it()
    {
        await using var h = await FallbackLaunchedThenUnrecordedAsync();

        await h.Get<SpotPriceWatcher>().LookAsync(default);

        Assert.Contains("spot price history m6i.xlarge us-east-2a", h.Cloud.Calls);
        Assert.DoesNotContain(h.Cloud.Calls, c => c.StartsWith("spot price history m5.xlarge", StringComparison.Ordinal));
    }

    /// <summary>
    /// Start-up reconciliation gives such an entry the instance's id, zone and type from EC2: without the id, once the
    /// instance ended, phase 1 would take the entry for a refused launch and ask EC2 again with its token, which EC2
    /// answers with the ended instance, run after run.
    /// </summary>
    [Fact]
    public async Task Start_up_reconciliation_names_an_instance_entry_a_crash_left_unnamed_with_the_type_EC2_launched()
    {
        await using var h = await FallbackLaunchedThenUnrecordedAsync();
        var (launched, _) = Assert.Single(h.Cloud.Instances.Values);

        await h.Get<AwsReconciler>().ReconcileAsync(default);

        var entry = Assert.Single(await h.Core.Store.GetLiveResourcesAsync(await h.DeploymentIdAsync()), r => r.Kind == AwsResourceKinds.Instance);
        Assert.Equal($"{launched.InstanceId} in us-east-2a: m6i.xlarge spot, max $0.12/h", entry.Description);
        Assert.Contains($"now names {launched.InstanceId} in us-east-2a (m6i.xlarge): the panel stopped between its launch and the record of it.",
            await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[1]));
        Assert.Equal(launched.InstanceId, InstanceLaunch.For(new DeploymentNames(await h.DeploymentIdAsync()), null,
            [ResourceView.From((await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources.Single(r => r.Kind == AwsResourceKinds.Instance)) with { DeletedAt = DateTime.UtcNow }]).Replaces);
    }

    /// <summary>Another instance of the deployment (launched by hand under its tag, say) is not the unnamed entry's, and does not stop its naming.</summary>
    [Fact]
    public async Task Start_up_reconciliation_names_the_unnamed_entry_beside_another_instance_of_the_deployment()
    {
        await using var h = await FallbackLaunchedThenUnrecordedAsync();
        var (launched, spec) = Assert.Single(h.Cloud.Instances.Values);
        h.Cloud.Instances["launched-by-hand"] = (launched with { InstanceId = "i-0byhand", ClientToken = "launched-by-hand", LaunchedAt = DateTimeOffset.UtcNow }, spec);

        await h.Get<AwsReconciler>().ReconcileAsync(default);

        var entries = await h.Core.Store.GetLiveResourcesAsync(await h.DeploymentIdAsync());
        Assert.Contains(entries, r => r.Kind == AwsResourceKinds.Instance && r.Description == $"{launched.InstanceId} in us-east-2a: m6i.xlarge spot, max $0.12/h");
        Assert.DoesNotContain("now names i-0byhand", await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[1]));
    }

    /// <summary>Phase 1 launched a fallback (m6i.xlarge); then its entry is put back as it was just before the launch, as a crash would leave it.</summary>
    private static async Task<AwsTargetHarness> FallbackLaunchedThenUnrecordedAsync()
    {
        var h = await AwsTargetHarness.StartAsync();
        h.Cloud.RunInstancesFailureFor["m5.xlarge"] = NoRoom;
        Succeeded(await h.Core.RunAsync(1), "");
        var id = await h.DeploymentIdAsync();
        await using var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync();
        await db.Resources.Where(r => r.DeploymentId == id && r.Kind == AwsResourceKinds.Instance)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.Description, InstanceEntry.Spot("m5.xlarge", 0.12m)));
        return h;
    }

    /// <summary>EC2 fulfils a spot request whose max price is at or above the spot price: a price equal to the max launches.</summary>
    [Fact]
    public async Task A_first_choice_priced_at_exactly_the_max_is_launched()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.SpotPricesOf["m5.xlarge"] = new() { ["us-east-2a"] = 0.12m, ["us-east-2b"] = 0.3m };

        Succeeded(await h.Core.RunAsync(1), "");

        var launched = Assert.Single(h.Cloud.Instances.Values).Spec;
        Assert.Equal(("m5.xlarge", "us-east-2a"), (launched.InstanceType, launched.AvailabilityZone));
    }

    [Fact]
    public async Task A_first_choice_priced_above_the_max_everywhere_is_passed_over_and_when_none_launches_the_failure_names_each_type()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, FallbackInstanceTypes = ["m6i.xlarge", "m5a.xlarge"] });
        h.Cloud.SpotPricesOf["m5.xlarge"] = new() { ["us-east-2a"] = 0.2m, ["us-east-2b"] = 0.3m };
        h.Cloud.RunInstancesFailureFor["m6i.xlarge"] = NoRoom;
        h.Cloud.RunInstancesFailureFor["m5a.xlarge"] = NoRoom;

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "None of the 3 instance types in Settings could be launched as spot.",
            "The spot price of m5.xlarge in us-east-2 is $0.2/h at the cheapest (us-east-2a), above your max of $0.12/h.",
            "m6i.xlarge: AWS has no room for ec2:RunInstances (InsufficientInstanceCapacity)", "m5a.xlarge: AWS has no room",
            "Raise the spot max price or pick another instance type in Settings", "Settings → Fallback instance types names the types asked for after the first.");
        Assert.Equal<string>([.. Zones("m6i.xlarge"), .. Zones("m5a.xlarge")], RunInstancesCalls(h));
        Assert.Empty(h.Cloud.Instances);
        Assert.Equal(0m, Meter(await h.MetersInAnHourAsync(), MeterKind.Ec2Instance).BurnRatePerHour);
        // The checklist cannot know of the capacity, but it sees the price: amber, naming the type phase 1 would ask for.
        var line = (await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default)).Single(i => i.Name == "Spot price");
        Assert.Equal((CheckOutcome.Warning, "m5.xlarge: $0.2/h now at the cheapest of 2 zones (us-east-2a), above your max of $0.12/h. " +
            "Phase 1 would ask for the fallback m6i.xlarge instead, $0.05/h now in us-east-2a."), (line.Outcome, line.Detail));
    }

    /// <summary>
    /// A new account's spot quota may be small, and other spot instances in the region use it too: the
    /// checklist counts them and names the smaller fallback that fits, and phase 1, refused the first choice, launches it.
    /// </summary>
    [Fact]
    public async Task A_spot_quota_other_instances_fill_passes_the_first_choice_for_a_smaller_fallback_and_the_checklist_says_so_first()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, FallbackInstanceTypes = ["m6i.xlarge", "m7i-flex.large"] });
        h.Cloud.SpotQuota = 5;
        h.Cloud.OtherSpotInstances.Add(new("i-0other", "t3.small", null));
        h.Cloud.InstanceTypeOf["t3.small"] = new("t3.small", 2, 2048, ["x86_64"], Burstable: true, OfferedAsSpot: true);
        h.Cloud.InstanceTypeOf["m7i-flex.large"] = new("m7i-flex.large", 2, 8192, ["x86_64"], OfferedAsSpot: true);
        var quotaFull = FakeAwsCloud.Error("ec2:RunInstances", "MaxSpotInstanceCountExceeded", "Max spot instance count exceeded");
        h.Cloud.RunInstancesFailureFor["m5.xlarge"] = quotaFull;
        h.Cloud.RunInstancesFailureFor["m6i.xlarge"] = quotaFull;

        var line = (await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default)).Single(i => i.Name == SpotQuotaCheck.Name);
        Assert.Equal((CheckOutcome.Warning, "5 vCPUs allowed, 2 in use by 1 spot instance here: i-0other (t3.small); 3 left, and m5.xlarge needs 4. " +
            "Phase 1 would ask for the fallback m7i-flex.large (2 vCPUs) instead."), (line.Outcome, line.Detail));

        var state = await h.Core.RunAsync(1);

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Equal<string>(["run-instances m5.xlarge in us-east-2a", "run-instances m6i.xlarge in us-east-2a", "run-instances m7i-flex.large in us-east-2a"], RunInstancesCalls(h));
        Assert.Contains("m5.xlarge: A quota of your account refused ec2:RunInstances (MaxSpotInstanceCountExceeded): Max spot instance count exceeded. Asking for m6i.xlarge", await h.Core.LogTextAsync(state));
        // Launched, the deployment's own instance holds its share: the line no longer counts it against the next launch.
        var after = (await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default)).Single(i => i.Name == SpotQuotaCheck.Name);
        Assert.Equal(CheckOutcome.Passed, after.Outcome);
        Assert.EndsWith("(m7i-flex.large) runs: phase 1 launches no other while it does.", after.Detail);
    }

    /// <summary>An account on AWS's Free plan launches only the types it lists (the message is EC2's, as issue trackers quote it).</summary>
    [Fact]
    public async Task On_the_Free_plan_a_type_it_does_not_offer_gives_way_to_a_fallback_it_does_and_when_none_is_the_failure_names_the_plan()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, FallbackInstanceTypes = ["m6i.xlarge", "m7i-flex.large"] });
        foreach (var type in new[] { "m5.xlarge", "m6i.xlarge" }) h.Cloud.RunInstancesFailureFor[type] = NotOnTheFreePlan;

        var state = await h.Core.RunAsync(1);

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Equal<string>(["run-instances m5.xlarge in us-east-2a", "run-instances m6i.xlarge in us-east-2a", "run-instances m7i-flex.large in us-east-2a"], RunInstancesCalls(h));
        Assert.Equal("m7i-flex.large", Assert.Single(h.Cloud.Instances.Values).Spec.InstanceType);

        await using var refused = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, FallbackInstanceTypes = ["m6i.xlarge"] });
        foreach (var type in new[] { "m5.xlarge", "m6i.xlarge" }) refused.Cloud.RunInstancesFailureFor[type] = NotOnTheFreePlan;
        FailedSaying(await refused.Core.RunAsync(1), "m5.xlarge: AWS refused ec2:RunInstances (InvalidParameterCombination): The specified instance type is not eligible for Free Tier",
            "This account is on AWS's Free plan", "Name=free-tier-eligible,Values=true", "upgrade the account to the Paid plan");
    }

    private static AwsException NotOnTheFreePlan => FakeAwsCloud.Error("ec2:RunInstances", "InvalidParameterCombination",
        "The specified instance type is not eligible for Free Tier. For a list of Free Tier instance types, run 'describe-instance-types' with the filter 'free-tier-eligible=true'.");

    [Fact]
    public async Task Without_fallbacks_only_the_first_choice_is_asked_for_and_its_refusal_is_the_failure()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, FallbackInstanceTypes = [] });
        h.Cloud.RunInstancesFailureFor["m5.xlarge"] = NoRoom;

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "m5.xlarge: AWS has no room for ec2:RunInstances (InsufficientInstanceCapacity)", "pick another instance type or region in Settings, or try later");
        Assert.DoesNotContain("None of the", state.LatestRun!.Reason);
        Assert.Equal(Zones("m5.xlarge"), RunInstancesCalls(h));
        var line = (await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default)).Single(i => i.Name == InstanceTypeCheck.FallbacksName);
        Assert.Equal("None: phase 1 asks for m5.xlarge only, and fails when no zone has spot room for it within your max.", line.Detail);
    }

    /// <summary>
    /// A crash after a fallback's launch and before its record, with EC2 not listing the instance yet: the repeated
    /// launch asks the first choice again, which EC2 refuses as a mismatch of the token, and the next type's request
    /// is answered with the instance already launched. Nothing new is launched, and the entry names the fallback.
    /// </summary>
    [Fact]
    public async Task A_launch_repeated_after_a_crash_finds_the_fallback_it_launched_through_the_token()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.RunInstancesFailureFor["m5.xlarge"] = NoRoom;
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.RunInstancesFailureFor.Clear();
        h.Cloud.InstancesUnlistedUntilLaunch = true;

        var state = await h.Core.RunAsync(1);

        Succeeded(state, await h.Core.LogTextAsync(state));
        var (launched, spec) = Assert.Single(h.Cloud.Instances.Values);
        Assert.Equal("m6i.xlarge", spec.InstanceType);
        Assert.Contains("m5.xlarge: EC2 launched another type under this deployment's token already, in an earlier run of this phase (IdempotentParameterMismatch). Asking for m6i.xlarge", await h.Core.LogTextAsync(state));
        var entry = (await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources.Single(r => r.Kind == AwsResourceKinds.Instance);
        Assert.Equal((launched.InstanceId, "m6i.xlarge"), (InstanceEntry.InstanceId(entry.Description), InstanceEntry.InstanceType(entry.Description)));
    }

    [Fact]
    public async Task A_fallback_that_could_never_launch_stops_phase_1_before_anything_is_created_and_the_checklist_names_it()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.InstanceTypeOf["m5a.xlarge"] = new("m5a.xlarge", 4, 16384, ["x86_64"], OfferedAsSpot: false);
        h.Cloud.InstanceTypeOf["m6i.xlarge"] = null;

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "EC2 does not know the instance type m6i.xlarge in us-east-2.", "EC2 does not offer this type as a spot instance",
            "Settings → Fallback instance types: remove m6i.xlarge and m5a.xlarge", "Phase 1 stopped before creating anything");
        Assert.Empty(h.Cloud.Buckets);
        Assert.Empty(RunInstancesCalls(h));
        var line = (await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default)).Single(i => i.Name == InstanceTypeCheck.FallbacksName);
        Assert.Equal(CheckOutcome.Failed, line.Outcome);
        Assert.Contains("Asked for in this order when no zone has spot room for m5.xlarge within your max: m6i.xlarge, m5a.xlarge, m6a.xlarge.", line.Detail);
    }

    [Fact]
    public void The_spot_price_line_is_amber_naming_the_fallback_phase_1_would_launch_when_the_first_choice_is_not_sold_within_the_max()
    {
        var settings = new PipelineSettings { FallbackInstanceTypes = ["m6i.xlarge", "m5a.xlarge"] };
        IReadOnlyList<ZoneSpotPrice> none = [], dear = [new("us-east-2a", 0.3m)], cheap = [new("us-east-2c", 0.05m)];

        var notOffered = SpotPriceCheck.Judge(settings, [("m5.xlarge", none), ("m6i.xlarge", dear), ("m5a.xlarge", cheap)]);
        Assert.Equal((CheckOutcome.Warning, "m5.xlarge: No spot price for m5.xlarge in us-east-2: it is not offered there. " +
            "Phase 1 would ask for the fallback m5a.xlarge instead, $0.05/h now in us-east-2c."), (notOffered.Outcome, notOffered.Detail));
        var noneWithin = SpotPriceCheck.Judge(settings, [("m5.xlarge", none), ("m6i.xlarge", dear), ("m5a.xlarge", none)]);
        Assert.Equal((CheckOutcome.Failed, "Pick another instance type or region."), (noneWithin.Outcome, noneWithin.Fix));
        Assert.EndsWith("No fallback type is sold within it either.", noneWithin.Detail);
        Assert.Equal(CheckOutcome.Passed, SpotPriceCheck.Judge(settings, [("m5.xlarge", cheap)]).Outcome);
    }

    [Fact]
    public void Settings_refuse_a_fallback_that_is_not_an_instance_type_name_and_too_many_fallbacks()
    {
        Assert.Contains(new PipelineSettings { FallbackInstanceTypes = ["m6i.xlarge", "m6i xlarge"] }.Problems(),
            p => p.Field == nameof(PipelineSettings.FallbackInstanceTypes) && p.Message.StartsWith("Fallback instance type 'm6i xlarge' is not an EC2 instance type name", StringComparison.Ordinal));
        Assert.Contains(new PipelineSettings { FallbackInstanceTypes = ["a1.xlarge", "b2.xlarge", "c3.xlarge", "d4.xlarge", "e5.xlarge", "f6.xlarge"] }.Problems(),
            p => p.Message == "6 fallback instance types: give at most 5.");
        Assert.Empty(new PipelineSettings().Problems());
        Assert.Equal<string>(["m5.xlarge", "m6i.xlarge", "m5a.xlarge", "m6a.xlarge"], new PipelineSettings().SpotInstanceTypes);
        Assert.Equal<string>(["m6i.xlarge", "m5.xlarge"], new PipelineSettings { InstanceType = "m6i.xlarge", FallbackInstanceTypes = ["m5.xlarge", "m6i.xlarge", "m5.xlarge"] }.SpotInstanceTypes);
    }

    [Fact]
    public void An_entry_names_the_type_it_is_metered_at_before_the_launch_and_after()
    {
        Assert.Equal("m6a.xlarge", InstanceEntry.InstanceType(InstanceEntry.Spot("m6a.xlarge", 0.12m)));
        Assert.Equal("m6a.xlarge", InstanceEntry.InstanceType(InstanceEntry.Description("i-0abc", "us-east-2b", InstanceEntry.Spot("m6a.xlarge", 0.12m))));
        Assert.Equal("t3.large", InstanceEntry.InstanceType(InstanceEntry.Description("i-0abc", null, "t3.large spot, max $0.05/h"))); // an earlier version's, without the zone
        Assert.Null(InstanceEntry.InstanceType("The instance's role and instance profile"));
    }

    private static decimal PriceOf(string key) => PriceBook.Default.Find(key)!.Usd;

    private static IEnumerable<string> Zones(string type) => FakeAwsCloud.Zones.Select(zone => $"run-instances {type} in {zone}");

    private static List<string> RunInstancesCalls(AwsTargetHarness h) => [.. h.Cloud.Calls.Where(c => c.StartsWith("run-instances", StringComparison.Ordinal))];
}
