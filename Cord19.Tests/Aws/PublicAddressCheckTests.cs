using Cord19.Core.Targets.Aws;

namespace Cord19.Tests.Aws;

public sealed class PublicAddressCheckTests
{
    private static DefaultSubnet Subnet(string zone, bool assigns) => new($"subnet-{zone}", zone, assigns);

    [Fact]
    public void Default_subnets_that_all_assign_public_addresses_pass()
    {
        var line = PublicAddressCheck.Judge("vpc-1", [Subnet("us-east-2a", true), Subnet("us-east-2b", true)]);

        Assert.Equal(CheckOutcome.Passed, line.Outcome);
        Assert.Equal("Every default subnet of vpc-1 (us-east-2a, us-east-2b) gives the instance a public IPv4 address.", line.Detail);
    }

    [Fact]
    public void Some_subnets_without_are_amber_and_named()
    {
        var line = PublicAddressCheck.Judge("vpc-1", [Subnet("us-east-2a", true), Subnet("us-east-2b", false), Subnet("us-east-2c", false)]);

        Assert.Equal(CheckOutcome.Warning, line.Outcome);
        Assert.StartsWith("The default subnets in us-east-2b, us-east-2c assign no public IPv4 address", line.Detail);
        Assert.Contains("Edit subnet settings", line.Fix);
    }

    [Fact]
    public void None_assigning_or_none_at_all_is_red()
    {
        Assert.Equal(CheckOutcome.Failed, PublicAddressCheck.Judge("vpc-1", [Subnet("us-east-2a", false)]).Outcome);
        var none = PublicAddressCheck.Judge("vpc-1", []);
        Assert.Equal(CheckOutcome.Failed, none.Outcome);
        Assert.Contains("create-default-subnet", none.Fix);
    }
}
