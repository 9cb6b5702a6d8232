using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// Which zone phase 1 asks for the spot instance in (<see cref="SpotZones"/>), against the target's seam: the cheapest
/// within the max whose default subnet gives a public address, then the next when a zone has no room. The request's
/// zone is checked on the wire (SpotLaunchWireTests) and against moto (MotoAcceptanceTests).
/// </summary>
public sealed class AwsSpotZoneTests
{
    [Fact]
    public async Task The_instance_is_asked_for_in_the_cheapest_zone_and_the_checklist_names_it()
    {
        await using var h = await StartAsync(0.061m, 0.043m, 0.052m);

        var state = await h.Core.RunAsync(1);

        Succeeded(state, "");
        Assert.Equal(["run-instances m5.xlarge in us-east-2b"], RunInstancesCalls(h));
        Assert.Equal("us-east-2b", (await h.Cloud.FindInstanceAsync(await h.DeploymentIdAsync(), default))!.AvailabilityZone);
        Assert.Contains("Asking for m5.xlarge in us-east-2b at $0.043/h: the cheapest of 3 zones within your max whose default subnet gives a public address.",
            await h.Core.LogTextAsync(state));
        var line = (await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default)).Single(i => i.Name == "Spot price");
        Assert.Equal("$0.043/h now in us-east-2b, the cheapest of 3 zones, within your max of $0.12/h.", line.Detail);
    }

    [Fact]
    public async Task A_zone_without_spot_room_is_passed_over_for_the_next_cheapest_with_the_same_token()
    {
        await using var h = await StartAsync(0.061m, 0.043m, 0.052m);
        h.Cloud.RunInstancesFailureIn["us-east-2b"] = FakeAwsCloud.Error("ec2:RunInstances", "InsufficientInstanceCapacity",
            "There is no Spot capacity available that matches your request.");

        var state = await h.Core.RunAsync(1);

        Succeeded(state, "");
        Assert.Equal(["run-instances m5.xlarge in us-east-2b", "run-instances m5.xlarge in us-east-2c"], RunInstancesCalls(h));
        var (_, spec) = Assert.Single(h.Cloud.Instances.Values);
        Assert.Equal(("us-east-2c", (await h.NamesAsync()).InstanceClientToken), (spec.AvailabilityZone, spec.ClientToken));
        Assert.Contains("us-east-2b refused the launch (InsufficientInstanceCapacity: There is no Spot capacity available that matches your request.); " +
            "asking in us-east-2c at $0.052/h.", await h.Core.LogTextAsync(state));
    }

    [Fact]
    public async Task Zones_above_the_max_or_without_a_public_address_are_never_asked_and_no_room_anywhere_fails_with_the_fix()
    {
        // Only us-east-2a's subnet gives addresses; us-east-2b is cheaper but would give an instance that can never serve.
        await using var h = await StartAsync(0.05m, 0.03m, 0.2m, onlyTheFirstZoneGivesAddresses: true);
        h.Cloud.RunInstancesFailureIn["us-east-2a"] = FakeAwsCloud.Error("ec2:RunInstances", "InsufficientInstanceCapacity", "There is no Spot capacity available that matches your request.");

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "AWS has no room for ec2:RunInstances", "pick another instance type");
        // The fallback types too are asked for only where the first choice could be.
        Assert.Equal(new PipelineSettings().SpotInstanceTypes.Select(type => $"run-instances {type} in us-east-2a"), RunInstancesCalls(h));
        Assert.Empty(h.Cloud.Instances);
    }

    [Fact]
    public async Task Prices_within_the_max_only_where_no_address_is_given_are_refused_before_the_launch()
    {
        await using var h = await StartAsync(0.3m, 0.05m, 0.06m, onlyTheFirstZoneGivesAddresses: true);

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "Within your max of $0.12/h, m5.xlarge is sold as spot only in us-east-2b, us-east-2c, whose default subnets assign no public IPv4 address",
            "Edit subnet settings", "or raise the spot max price");
        Assert.Empty(RunInstancesCalls(h));
    }

    /// <summary>The type's spot price in us-east-2a, 2b and 2c; with <paramref name="onlyTheFirstZoneGivesAddresses"/>, only 2a's default subnet assigns public addresses.</summary>
    private static async Task<AwsTargetHarness> StartAsync(decimal a, decimal b, decimal c, bool onlyTheFirstZoneGivesAddresses = false)
    {
        var h = await AwsTargetHarness.StartAsync();
        (h.Cloud.SpotPrices["us-east-2a"], h.Cloud.SpotPrices["us-east-2b"], h.Cloud.SpotPrices["us-east-2c"]) = (a, b, c);
        (h.Cloud.SubnetsAssignPublicAddresses, h.Cloud.SubnetsAssigningAnyway) = onlyTheFirstZoneGivesAddresses ? (false, 1) : (true, 0);
        return h;
    }

    private static List<string> RunInstancesCalls(AwsTargetHarness h) => [.. h.Cloud.Calls.Where(c => c.StartsWith("run-instances", StringComparison.Ordinal))];
}
