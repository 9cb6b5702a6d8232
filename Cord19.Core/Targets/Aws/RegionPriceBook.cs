using System.Globalization;
using Cord19.Core.Aws;
using Cord19.Core.Costs;

namespace Cord19.Core.Targets.Aws;

/// <summary>A price the reading left as the book had it, and why.</summary>
public sealed record KeptPrice(string Key, string Why);

/// <summary>
/// A price book for <paramref name="Region"/> read from AWS: <paramref name="Json"/> is the file Settings saves,
/// with every price of the book it started from, read or kept, and each new key AWS priced.
/// </summary>
/// <param name="NotAdded">The new keys (the settings' types the book did not price) AWS gave no price for, and why.</param>
public sealed record RegionPriceReading(string Region, string Json, IReadOnlyList<string> Read, IReadOnlyList<KeptPrice> Kept, IReadOnlyList<KeptPrice> NotAdded)
{
    /// <summary>What the reading did, in words for the Settings page.</summary>
    public string Summary => $"Read {Read.Count} of {Read.Count + Kept.Count + NotAdded.Count} prices for {Region} from AWS." + (Kept.Count == 0 ? "" :
        $" Kept from the book: {string.Join("; ", Kept.Select(k => $"{k.Key} ({k.Why})"))}.") + (NotAdded.Count == 0 ? "" :
        $" Not added, as AWS gave no price: {string.Join("; ", NotAdded.Select(k => $"{k.Key} ({k.Why})"))}.");

    /// <summary>Something was kept or left out: the page says it as a warning.</summary>
    public bool Partial => Kept.Count + NotAdded.Count > 0;
}

/// <summary>
/// Reads the prices of a price book's keys for a region from AWS, so the meters and estimates price what AWS charges
/// there today instead of figures recorded by hand for us-east-2: on-demand rates from the Price List API
/// (GetProducts, which answers from us-east-1 for every region), spot prices from EC2's current spot price history.
/// A key AWS lists no single rate for keeps the book's figure, said with the reason: a reading never loses a price.
/// </summary>
public static class RegionPriceBook
{
    /// <summary>Where the Price List keeps a key's rate, and how one of its rates becomes the book's figure.</summary>
    /// <param name="Units">The Price List's units the rate must be in (a filter that caught another product shows here).</param>
    /// <param name="PerBookUnit">How many of the Price List's units make the book's (1,000 requests).</param>
    private sealed record Listing(string ServiceCode, IReadOnlyList<PriceFilter> Filters, string[] Units, decimal PerBookUnit = 1);

    private static Listing? ListingFor(string key, string region)
    {
        var where = new PriceFilter("regionCode", region);
        if (key.StartsWith("ec2.ondemand.", StringComparison.Ordinal))
            return new("AmazonEC2", [where, new("instanceType", key["ec2.ondemand.".Length..]), new("operatingSystem", "Linux"), new("tenancy", "Shared"),
                new("preInstalledSw", "NA"), new("capacitystatus", "Used"), new("licenseModel", "No License required")], ["Hrs"]);
        if (key.StartsWith("redshift.ondemand.", StringComparison.Ordinal))
            return new("AmazonRedshift", [where, new("instanceType", key["redshift.ondemand.".Length..]), new("productFamily", "Compute Instance")], ["Hrs"]);
        return key switch
        {
            "redshift.rms.gb-month" => new("AmazonRedshift", [where, new("productFamily", "Redshift Managed Storage")], ["GB-Mo"]),
            "redshift.spectrum.tb-scanned" => new("AmazonRedshift", [where, new("productFamily", "Redshift Data Scan")], ["Terabytes", "TB"]),
            "ebs.gp3.gb-month" => new("AmazonEC2", [where, new("productFamily", "Storage"), new("volumeApiName", "gp3")], ["GB-Mo"]),
            // The usage type carries the region's prefix (USE2-…), so the filter asks for its suffix.
            "ipv4.public.hour" => new("AmazonVPC", [where, new("usagetype", "PublicIPv4:InUseAddress", "CONTAINS")], ["Hrs"]),
            "s3.standard.gb-month" => new("AmazonS3", [where, new("storageClass", "General Purpose"), new("volumeType", "Standard")], ["GB-Mo"]),
            "s3.put.1000" => new("AmazonS3", [where, new("group", "S3-API-Tier1")], ["Requests"], 1000),
            "s3.get.1000" => new("AmazonS3", [where, new("group", "S3-API-Tier2")], ["Requests"], 1000),
            _ => null,
        };
    }

    /// <summary>Snapshots are billed at the managed storage rate (the shipped book's estimate), so they follow it.</summary>
    private const string Backup = "redshift.backup.gb-month", ManagedStorage = "redshift.rms.gb-month";

    /// <summary>
    /// Reads every price of <paramref name="book"/> for <paramref name="region"/>, and of <paramref name="newKeys"/> (the
    /// settings' types the book does not price), which are added only when AWS prices them: a made-up figure would leave
    /// the cost cap as blind as a missing one. A refusal that every call would meet (no credentials, no
    /// pricing:GetProducts) ends the reading with AWS's error, naming its fix; a refusal of one key keeps that key.
    /// </summary>
    public static async Task<RegionPriceReading> ReadAsync(IAwsCloud cloud, string region, PriceBook book, IReadOnlyList<string> newKeys, DateOnly today,
        CancellationToken ct)
    {
        var prices = new List<Price>();
        var read = new List<string>();
        var kept = new List<KeptPrice>();
        var notAdded = new List<KeptPrice>();
        foreach (var price in book.All.OrderBy(p => p.Key, StringComparer.Ordinal).Where(p => p.Key != Backup))
        {
            var (found, why) = await ReadOneAsync(cloud, region, price, today, ct);
            Record(price, found, why);
        }
        foreach (var key in newKeys.Distinct().Where(k => book.Find(k) is null))
        {
            // The shipped book's entry gives the unit of a key someone deleted; a type it never priced is billed by the hour.
            var (found, why) = await ReadOneAsync(cloud, region, PriceBook.Default.Find(key) ?? new Price(key, 0, "hour", today, ""), today, ct);
            if (found is null) notAdded.Add(new KeptPrice(key, why!));
            else Add(found);
        }
        if (book.Find(Backup) is { } backup)
        {
            var storage = read.Contains(ManagedStorage) ? prices.Single(p => p.Key == ManagedStorage) : null;
            Record(backup, storage is null ? null : backup with
            {
                Usd = storage.Usd, AsOf = today,
                Source = $"Estimate: a manual snapshot of an RA3 cluster billed as backup storage at the managed storage rate ({ManagedStorage}, read from AWS's Price List for {region} on {today:yyyy-MM-dd}).",
            }, $"follows {ManagedStorage}, which was not read");
        }
        return new RegionPriceReading(region, PriceBook.Write(region, prices), read, kept, notAdded);

        void Add(Price found)
        {
            prices.Add(found);
            read.Add(found.Key);
        }

        // The price read, or the book's, said to be kept and why.
        void Record(Price old, Price? found, string? why)
        {
            if (found is not null)
            {
                Add(found);
                return;
            }
            kept.Add(new KeptPrice(old.Key, why!));
            prices.Add(book.Region == region ? old : old with { Source = $"Not read for {region} ({why}); {book.Region}'s figure: {KeptFrom(old.Source)}" });
        }
    }

    /// <summary>A kept price's own source, without what an earlier reading put before it.</summary>
    private static string KeptFrom(string source) =>
        source.StartsWith("Not read for ", StringComparison.Ordinal) && source.IndexOf("'s figure: ", StringComparison.Ordinal) is var at and > 0
            ? source[(at + "'s figure: ".Length)..]
            : source;

    private static async Task<(Price? Found, string? Why)> ReadOneAsync(IAwsCloud cloud, string region, Price price, DateOnly today, CancellationToken ct)
    {
        try
        {
            if (price.Key.StartsWith("ec2.spot.", StringComparison.Ordinal))
            {
                var type = price.Key["ec2.spot.".Length..];
                var zones = await cloud.SpotPricesAsync(type, ct);
                return zones.Count == 0
                    ? (null, $"EC2 gives no spot price for {type} in {region}")
                    : (price with
                    {
                        Usd = zones[0].PerHour, AsOf = today,
                        Source = $"EC2's current spot price in {zones[0].AvailabilityZone}, the cheapest of {region}'s {zones.Count} zone{(zones.Count == 1 ? "" : "s")} " +
                            $"(DescribeSpotPriceHistory, read {today:yyyy-MM-dd}); the meter uses the instance's own zone's history once it runs.",
                    }, null);
            }
            if (ListingFor(price.Key, region) is not { } listing)
                return (null, "AWS's Price List has no product the panel knows for it");
            var listed = await cloud.ListedPricesAsync(listing.ServiceCode, listing.Filters, ct);
            return Judge(listing, listed, price, region, today);
        }
        catch (AwsException ex) when (ex.Kind is not (AwsErrorKind.Denied or AwsErrorKind.Credentials))
        {
            return (null, $"AWS did not answer: {ex.Cause}");
        }
    }

    /// <summary>
    /// The rate of each listed product in the key's units: its first tier that costs anything (S3's storage is cheaper
    /// past 50 TB, a free allowance comes first). The key takes it when every product agrees.
    /// </summary>
    private static (Price? Found, string? Why) Judge(Listing listing, IReadOnlyList<ListedPrice> listed, Price price, string region, DateOnly today)
    {
        var rates = listed
            .Where(p => listing.Units.Contains(p.Unit, StringComparer.Ordinal) && p.Usd > 0)
            .GroupBy(p => p.Sku, StringComparer.Ordinal)
            .Select(product => product.MinBy(p => decimal.TryParse(p.BeginRange, NumberStyles.Float, CultureInfo.InvariantCulture, out var from) ? from : decimal.MaxValue)!)
            .ToList();
        var distinct = rates.Select(r => r.Usd).Distinct().Order().ToList();
        if (distinct.Count == 0)
            return (null, $"AWS's Price List gives no {string.Join(" or ", listing.Units)} rate for it in {region}");
        if (distinct.Count > 1)
            return (null, $"AWS's Price List gives {distinct.Count} different rates for it in {region} ({string.Join(", ", distinct.Select(Usd))} per {listing.Units[0]}), so none was chosen");
        var rate = rates[0];
        return (price with
        {
            Usd = rate.Usd * listing.PerBookUnit, AsOf = today,
            Source = $"AWS's Price List API ({listing.ServiceCode}, SKU {rate.Sku}" + (rate.EffectiveDate is { } from ? $", effective {from:yyyy-MM-dd}" : "") +
                $", read {today:yyyy-MM-dd})" + (rate.Description.Length > 0 ? $": {rate.Description}" : "."),
        }, null);
    }

    private static string Usd(decimal usd) => "$" + usd.ToString("0.##########", CultureInfo.InvariantCulture);
}
