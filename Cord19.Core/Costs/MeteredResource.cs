namespace Cord19.Core.Costs;

/// <summary>What is metered; <see cref="RedshiftCluster"/> is the cluster's compute (node-hours while not paused).</summary>
public enum MeterKind { Ec2Instance, EbsVolume, PublicIpv4, RedshiftCluster, S3Storage, RedshiftStorage, SpectrumScan, RedshiftSnapshot }

/// <summary>
/// Something that costs money while it exists, with the periods it is billed for.
/// <paramref name="Quantity"/> is GB for storage, nodes for Redshift, TB for a Spectrum scan, 1 otherwise.
/// <paramref name="PriceHistory"/> overrides the price book (the live spot price of an instance's zone).
/// </summary>
public sealed record MeteredResource(
    string Name,
    MeterKind Kind,
    string PriceKey,
    decimal Quantity,
    IReadOnlyList<BilledPeriod> Periods,
    IReadOnlyList<PricePoint>? PriceHistory = null)
{
    public bool IsBillingNow => Periods.Any(p => p.End is null);
}
