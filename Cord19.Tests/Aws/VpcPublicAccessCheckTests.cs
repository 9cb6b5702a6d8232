using Cord19.Core.Targets.Aws;

namespace Cord19.Tests.Aws;

/// <summary>
/// VPC Block Public Access in either mode blocks the default VPC's internet gateway, which is the instance's only way to
/// PyPI and the panel's only way to Airflow; only an exclusion both ways, of the VPC or of every subnet the instance may
/// land in, leaves it open ("Block public access to VPCs and subnets", Amazon VPC User Guide).
/// </summary>
public sealed class VpcPublicAccessCheckTests
{
    private static readonly IReadOnlyList<DefaultSubnet> Subnets =
        [new("subnet-a", "us-east-2a", true), new("subnet-b", "us-east-2b", true), new("subnet-c", "us-east-2c", false)];

    private static CheckItem Judge(string mode, params PublicAccessExclusion[] exclusions) =>
        VpcPublicAccessCheck.Judge("vpc-1", Subnets, new VpcPublicAccessBlock(mode, true, exclusions), "us-east-2");

    [Fact]
    public void Off_passes()
    {
        var line = Judge("off");

        Assert.Equal((CheckOutcome.Passed, "Off in us-east-2: nothing blocks the default VPC's internet gateway."), (line.Outcome, line.Detail));
    }

    [Theory]
    [InlineData("block-bidirectional")]
    [InlineData("block-ingress")]
    public void Either_mode_without_an_exclusion_is_red_with_the_exclusion_to_make(string mode)
    {
        var line = Judge(mode, new PublicAccessExclusion("vpc-other", "allow-bidirectional"));

        Assert.Equal(CheckOutcome.Failed, line.Outcome);
        Assert.Equal($"VPC Block Public Access ({mode}) blocks the internet gateway of the default VPC vpc-1 in us-east-2: the instance could reach " +
            "neither apt nor PyPI to install Airflow, and the panel could not reach it.", line.Detail);
        Assert.StartsWith("An administrator excludes vpc-1 in both directions (VPC console → Block public access → Create exclusion, allow-bidirectional)", line.Fix);
    }

    [Fact]
    public void The_default_VPC_excluded_both_ways_passes_and_only_outbound_does_not()
    {
        Assert.Equal(CheckOutcome.Passed, Judge("block-bidirectional", new PublicAccessExclusion("vpc-1", "allow-bidirectional")).Outcome);

        var egress = Judge("block-bidirectional", new PublicAccessExclusion("vpc-1", "allow-egress"));
        Assert.Equal(CheckOutcome.Failed, egress.Outcome);
        Assert.Contains("(its exclusion of vpc-1 lets outbound traffic through only)", egress.Detail);
    }

    [Fact]
    public void Every_subnet_the_instance_may_land_in_excluded_passes_and_some_of_them_does_not()
    {
        // subnet-c assigns no public address, so phase 1 never launches there: its exclusion is not needed.
        Assert.Equal(CheckOutcome.Passed, Judge("block-ingress", new("subnet-a", "allow-bidirectional"), new("subnet-b", "allow-bidirectional")).Outcome);

        var some = Judge("block-ingress", new PublicAccessExclusion("subnet-b", "allow-bidirectional"));
        Assert.Equal(CheckOutcome.Failed, some.Outcome);
        Assert.Contains("(it excludes the default subnets in us-east-2b only, and phase 1 may launch in any zone)", some.Detail);
    }

    [Fact]
    public void An_organization_that_allows_no_exclusions_leaves_another_region_as_the_fix()
    {
        var line = VpcPublicAccessCheck.Judge("vpc-1", Subnets, new VpcPublicAccessBlock("block-bidirectional", false, []), "us-east-2");

        Assert.Equal("The organization allows no exclusions from it in us-east-2: choose another region in Settings.", line.Fix);
    }
}
