namespace Cord19.Core.Costs;

/// <summary>A span of time during which a resource is billed: running, available, allocated. End null = still going.</summary>
public sealed record BilledPeriod(DateTime Start, DateTime? End);

/// <summary>A price that changes over time (the spot price): each point holds from its time until the next one.</summary>
public sealed record PricePoint(DateTime From, decimal UsdPerHour);

/// <summary>
/// AWS's billing rules for the resources the pipeline creates. Amounts are exact decimals; rounding to
/// cents happens only for display. The rules are paraphrased from the pricing pages cited on each method,
/// as the developers know them; this workplace cannot re-read those pages, so check them when they matter.
/// </summary>
public static class BillingRules
{
    /// <summary>
    /// EC2 Linux instances, on-demand and spot: per-second billing with a 60-second minimum each time the
    /// instance starts (https://aws.amazon.com/ec2/pricing/); spot instances pay the spot price in effect
    /// while they run (https://aws.amazon.com/ec2/spot/pricing/).
    /// A stopped instance is not billed. The price is integrated over its changes within each period.
    /// </summary>
    public static decimal Ec2(IEnumerable<BilledPeriod> running, IReadOnlyList<PricePoint> price, DateTime now)
    {
        decimal total = 0;
        foreach (var period in running)
        {
            var end = period.End ?? now;
            if (end <= period.Start) end = period.Start;
            // The minimum is billed from the start: a run cut at 20 s costs 60 s, and so does one still under 60 s.
            var billedEnd = end - period.Start < TimeSpan.FromSeconds(60) ? period.Start.AddSeconds(60) : end;
            total += Integrate(price, period.Start, billedEnd);
        }
        return total;
    }

    /// <summary>
    /// Redshift provisioned clusters, on-demand: after a billable status change (creating, deleting, pausing,
    /// resuming) partial hours are billed per second (https://aws.amazon.com/redshift/pricing/).
    /// Billed while available; not while paused (storage aside).
    /// </summary>
    public static decimal Redshift(IEnumerable<BilledPeriod> available, decimal usdPerNodeHour, int nodes, DateTime now) =>
        PerSecond(available, usdPerNodeHour * nodes, now);

    /// <summary>
    /// Public IPv4 addresses: $0.005 per address-hour whether attached or idle (https://aws.amazon.com/vpc/pricing/),
    /// prorated here per second. An instance's auto-assigned address exists only while it runs.
    /// </summary>
    public static decimal PublicIpv4(IEnumerable<BilledPeriod> allocated, decimal usdPerHour, DateTime now) =>
        PerSecond(allocated, usdPerHour, now);

    /// <summary>
    /// EBS volumes and S3 storage: a GB-month rate prorated per second over a 730-hour month, the convention of
    /// AWS's pricing calculator (https://aws.amazon.com/ebs/pricing/, https://aws.amazon.com/s3/pricing/).
    /// EBS keeps billing while its instance is stopped.
    /// </summary>
    public static decimal Storage(IEnumerable<BilledPeriod> provisioned, decimal gigabytes, decimal usdPerGbMonth, DateTime now) =>
        PerSecond(provisioned, gigabytes * usdPerGbMonth / HoursPerMonth, now);

    public const decimal HoursPerMonth = 730m;

    /// <summary>
    /// Redshift Spectrum: per terabyte scanned, rounded up to 10 MB per query (https://aws.amazon.com/redshift/pricing/);
    /// charged once, when the query ran (the period's start).
    /// </summary>
    public static decimal SpectrumScan(IEnumerable<BilledPeriod> queries, decimal terabytes, decimal usdPerTerabyte, DateTime now)
    {
        const decimal minimum = 10m / 1_048_576m; // 10 MB in TB
        return queries.Count(q => q.Start <= now) * Math.Max(terabytes, minimum) * usdPerTerabyte;
    }

    public static decimal PerSecond(IEnumerable<BilledPeriod> periods, decimal usdPerHour, DateTime now) =>
        periods.Sum(p => (decimal)(Clamp(p.End ?? now, p.Start) - p.Start).TotalSeconds) * usdPerHour / 3600m;

    /// <summary>The spot price in effect at <paramref name="at"/> (the first price before any change).</summary>
    public static decimal PriceAt(IReadOnlyList<PricePoint> price, DateTime at) =>
        price.LastOrDefault(p => p.From <= at)?.UsdPerHour ?? price[0].UsdPerHour;

    private static decimal Integrate(IReadOnlyList<PricePoint> price, DateTime from, DateTime to)
    {
        decimal total = 0;
        var cursor = from;
        while (cursor < to)
        {
            var next = price.Where(p => p.From > cursor).Select(p => (DateTime?)p.From).FirstOrDefault() ?? DateTime.MaxValue;
            var segmentEnd = next < to ? next : to;
            total += (decimal)(segmentEnd - cursor).TotalSeconds * PriceAt(price, cursor) / 3600m;
            cursor = segmentEnd;
        }
        return total;
    }

    private static DateTime Clamp(DateTime end, DateTime start) => end < start ? start : end;
}
