using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Whether the region's VPC Block Public Access leaves the default VPC's internet gateway open. Either of its modes blocks
/// it ("Block public access to VPCs and subnets", Amazon VPC User Guide: ingress-only lets through only NAT gateways and
/// egress-only internet gateways, which the default VPC has none of), so the instance could reach neither apt nor PyPI,
/// and the panel could not reach Airflow: phase 1 would bill it through its whole wait for Airflow, then fail. Red unless
/// the mode is off or an exclusion opens the default VPC, or every default subnet an instance may land in, both ways.
/// </summary>
public static class VpcPublicAccessCheck
{
    public const string Name = "VPC Block Public Access";

    public static CheckItem Judge(string vpcId, IReadOnlyList<DefaultSubnet> subnets, VpcPublicAccessBlock block, string region)
    {
        if (block.Mode == "off")
            return new(Name, CheckOutcome.Passed, $"Off in {region}: nothing blocks the default VPC's internet gateway.");
        bool Open(string resource) => block.Exclusions.Any(e => e.ResourceId == resource && e.Mode == "allow-bidirectional");
        if (Open(vpcId))
            return new(Name, CheckOutcome.Passed, $"On in {region} ({block.Mode}), and it excludes the default VPC {vpcId} in both directions.");
        var landing = subnets.Where(s => s.AssignsPublicAddress).ToList();
        if (landing.Count > 0 && landing.All(s => Open(s.SubnetId)))
            return new(Name, CheckOutcome.Passed, $"On in {region} ({block.Mode}), and it excludes in both directions every default subnet the instance may be launched in.");

        var open = landing.Where(s => Open(s.SubnetId)).Select(s => s.AvailabilityZone).ToList();
        var partly = block.Exclusions.Any(e => e.ResourceId == vpcId) ? $" (its exclusion of {vpcId} lets outbound traffic through only)"
            : open.Count > 0 ? $" (it excludes the default subnets in {string.Join(", ", open)} only, and phase 1 may launch in any zone)"
            : "";
        return new(Name, CheckOutcome.Failed,
            $"VPC Block Public Access ({block.Mode}) blocks the internet gateway of the default VPC {vpcId} in {region}{partly}: the instance could reach " +
            "neither apt nor PyPI to install Airflow, and the panel could not reach it.",
            block.ExclusionsAllowed
                ? $"An administrator excludes {vpcId} in both directions (VPC console → Block public access → Create exclusion, allow-bidirectional), or choose another region in Settings."
                : $"The organization allows no exclusions from it in {region}: choose another region in Settings.");
    }

    /// <summary>The line when EC2 could not be asked: amber, since the launch may still work.</summary>
    private static CheckItem Unknown(AwsException ex) => new(Name, CheckOutcome.Warning,
        $"Could not ask EC2 whether VPC Block Public Access blocks the default VPC: {ex.Cause}",
        "If Airflow never answers after phase 1 launches the instance, look at VPC console → Block public access.");

    /// <summary>Asks EC2 and judges; a refusal other than the credentials' is <see cref="Unknown"/>.</summary>
    public static async Task<CheckItem> JudgeAsync(IAwsCloud cloud, string vpcId, IReadOnlyList<DefaultSubnet> subnets, CancellationToken ct)
    {
        try
        {
            return Judge(vpcId, subnets, await cloud.VpcPublicAccessBlockAsync(ct), cloud.Region);
        }
        catch (AwsException ex) when (ex.Kind is not AwsErrorKind.Credentials)
        {
            return Unknown(ex);
        }
    }
}
