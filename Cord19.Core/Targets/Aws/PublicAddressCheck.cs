namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Whether the default VPC gives the instance a public IPv4 address: a default subnet that assigns none leaves it able to
/// reach neither apt nor PyPI (the default VPC's way out is its internet gateway) and unreachable by the panel. Phase 1
/// launches only in zones whose subnet assigns one (<see cref="SpotZones"/>). Red when none does (phase 1 refuses before
/// creating anything), amber when some do not (fewer zones to find spot room in).
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
                "Create the default subnets (`aws ec2 create-default-subnet --availability-zone <zone>`, one per zone), or choose another region in Settings.");
        if (without.Count == subnets.Count)
            return new(Name, CheckOutcome.Failed,
                $"No default subnet of {vpcId} assigns public IPv4 addresses, so the instance could reach neither apt nor PyPI to install Airflow, and the panel could not reach it.",
                Fix);
        if (without.Count > 0)
            return new(Name, CheckOutcome.Warning,
                $"The default subnets in {string.Join(", ", without)} assign no public IPv4 address: phase 1 launches the instance only in " +
                $"{string.Join(", ", subnets.Where(s => s.AssignsPublicAddress).Select(s => s.AvailabilityZone))}, fewer zones to find spot room in.",
                Fix);
        return new(Name, CheckOutcome.Passed, $"Every default subnet of {vpcId} ({string.Join(", ", subnets.Select(s => s.AvailabilityZone))}) gives the instance a public IPv4 address.");
    }
}
