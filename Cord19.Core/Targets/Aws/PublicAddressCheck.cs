namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Whether the default VPC gives the instance a public IPv4 address: phase 1 launches it without naming a subnet, so it
/// lands in one of the default subnets, and one that assigns no address leaves it able to reach neither apt nor PyPI
/// (the default VPC's way out is its internet gateway) and unreachable by the panel. Red when none assigns one (phase 1
/// refuses before creating anything), amber when some do not.
/// </summary>
public static class PublicAddressCheck
{
    public const string Name = "Public address";

    private const string Fix = "Turn on auto-assign public IPv4 addresses for the default VPC's subnets (VPC console → Subnets → Edit subnet settings).";

    public static CheckItem Judge(string vpcId, IReadOnlyList<DefaultSubnet> subnets)
    {
        var without = subnets.Where(s => !s.AssignsPublicAddress).Select(s => s.AvailabilityZone).ToList();
        if (subnets.Count == 0)
            return new(Name, CheckOutcome.Failed, $"The default VPC {vpcId} has no default subnet for the instance to be launched in.",
                "Create the default subnets (aws ec2 create-default-subnet --availability-zone <zone>, one per zone), or choose another region in Settings.");
        if (without.Count == subnets.Count)
            return new(Name, CheckOutcome.Failed,
                $"No default subnet of {vpcId} assigns public IPv4 addresses, so the instance could reach neither apt nor PyPI to install Airflow, and the panel could not reach it.",
                Fix);
        if (without.Count > 0)
            return new(Name, CheckOutcome.Warning,
                $"The default subnets in {string.Join(", ", without)} assign no public IPv4 address: an instance EC2 launches there is ended at once, and phase 1 fails.",
                Fix);
        return new(Name, CheckOutcome.Passed, $"Every default subnet of {vpcId} ({string.Join(", ", subnets.Select(s => s.AvailabilityZone))}) gives the instance a public IPv4 address.");
    }
}
