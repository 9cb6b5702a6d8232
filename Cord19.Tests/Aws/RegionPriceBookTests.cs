using System.Net;
using Cord19.Core.Aws;
using Cord19.Core.Costs;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Aws;

namespace Cord19.Tests.Aws;

/// <summary>
/// A price book read from AWS for a region: every key of the shipped book asked of the Price List (or EC2's spot
/// prices), through <see cref="FakeAwsCloud"/>, whose Price List filters as the API reference says. Beside each wanted
/// product the list holds the ones a careless filter would catch too (Windows, a capacity reservation, gp2, another
/// region, the idle address, S3's cheaper tiers, a free allowance), so a filter that is missing shows as a wrong or
/// unchosen price.
/// </summary>
public sealed class RegionPriceBookTests : IDisposable
{
    private const string Region = "eu-west-1";
    private static readonly DateOnly Today = new(2026, 12, 6);

    private readonly TempDirectory _files = new();
    private readonly FakeAwsCloud _cloud;

    public RegionPriceBookTests()
    {
        _cloud = new FakeAwsCloud(_files.Path);
        foreach (var (type, usd) in new[] { ("t3.xlarge", 0.1824m), ("t3.large", 0.0912m), ("m5.xlarge", 0.214m), ("m6i.xlarge", 0.214m), ("m5a.xlarge", 0.192m), ("m6a.xlarge", 0.1926m) })
        {
            Ec2Instance(type, usd);
            Ec2Instance(type, usd * 2, operatingSystem: "Windows");
            Ec2Instance(type, usd - 0.01m, capacity: "UnusedCapacityReservation", sku: $"{type}-reserved");
            Ec2Instance(type, usd + 0.01m, region: "us-east-2");
            _cloud.SpotPricesOf[type] = new() { ["eu-west-1a"] = Math.Round(usd * 0.4m, 4), ["eu-west-1b"] = Math.Round(usd * 0.35m, 4) };
        }
        Add("AmazonRedshift", "RA3L", "Compute Instance", new() { ["instanceType"] = "ra3.large" }, "Hrs", 0.601m);
        Add("AmazonRedshift", "RA3XL", "Compute Instance", new() { ["instanceType"] = "ra3.xlplus" }, "Hrs", 1.202m);
        // Managed storage is listed once a node type, at one rate.
        Add("AmazonRedshift", "RMS1", "Redshift Managed Storage", new() { ["usagetype"] = "EU-RMS:ra3.large" }, "GB-Mo", 0.0261m);
        Add("AmazonRedshift", "RMS2", "Redshift Managed Storage", new() { ["usagetype"] = "EU-RMS:ra3.xlplus" }, "GB-Mo", 0.0261m);
        Add("AmazonRedshift", "SCAN", "Redshift Data Scan", [], "Terabytes", 5.0m);
        Add("AmazonEC2", "GP3", "Storage", new() { ["volumeApiName"] = "gp3" }, "GB-Mo", 0.088m);
        Add("AmazonEC2", "GP2", "Storage", new() { ["volumeApiName"] = "gp2" }, "GB-Mo", 0.11m);
        // The free tier's hours come first, at nothing.
        Add("AmazonVPC", "INUSE", "", new() { ["usagetype"] = "EU-PublicIPv4:InUseAddress" }, "Hrs", 0m, 0.005m);
        Add("AmazonVPC", "IDLE", "", new() { ["usagetype"] = "EU-PublicIPv4:IdleAddress" }, "Hrs", 0.006m);
        Add("AmazonS3", "STD", "Storage", new() { ["storageClass"] = "General Purpose", ["volumeType"] = "Standard" }, "GB-Mo", 0.022m, 0.021m, 0.02m);
        Add("AmazonS3", "INT", "Storage", new() { ["storageClass"] = "Intelligent-Tiering", ["volumeType"] = "Standard" }, "GB-Mo", 0.0125m);
        Add("AmazonS3", "TIER1", "API Request", new() { ["group"] = "S3-API-Tier1" }, "Requests", 0.000005m);
        Add("AmazonS3", "TIER2", "API Request", new() { ["group"] = "S3-API-Tier2" }, "Requests", 0.0000004m);
    }

    public void Dispose() => _files.Dispose();

    private void Ec2Instance(string type, decimal usd, string operatingSystem = "Linux", string capacity = "Used", string? sku = null, string region = Region) =>
        Add("AmazonEC2", sku ?? $"{type}-{operatingSystem}-{region}", "Compute Instance", new()
        {
            ["instanceType"] = type, ["operatingSystem"] = operatingSystem, ["tenancy"] = "Shared", ["preInstalledSw"] = "NA",
            ["capacitystatus"] = capacity, ["licenseModel"] = "No License required",
        }, "Hrs", usd, region: region);

    /// <summary>A product with one rate a tier: the first from 0, the next from 51,200 (S3's 50 TB), and so on.</summary>
    private void Add(string service, string sku, string family, Dictionary<string, string> attributes, string unit, decimal usd, params decimal[] more) =>
        Add(service, sku, family, attributes, unit, [usd, .. more], Region);

    private void Add(string service, string sku, string family, Dictionary<string, string> attributes, string unit, decimal[] tiers, string region)
    {
        attributes["regionCode"] = region;
        for (var i = tiers.Length - 1; i >= 0; i--) // the answer's order is not the tiers'
            _cloud.PriceList.Add((service, new ListedPrice(sku, family, attributes, unit, tiers[i], (i * 51200).ToString(System.Globalization.CultureInfo.InvariantCulture),
                new DateOnly(2026, 11, 1), $"${tiers[i]} per {unit} ({sku})")));
    }

    private void Add(string service, string sku, string family, Dictionary<string, string> attributes, string unit, decimal usd, string region) =>
        Add(service, sku, family, attributes, unit, [usd], region);

    private Task<RegionPriceReading> ReadAsync(PriceBook? book = null, string region = Region, params string[] newKeys) =>
        RegionPriceBook.ReadAsync(_cloud, region, book ?? PriceBook.Default, newKeys, Today, default);

    /// <summary>
    /// The settings' types the book lacks (Settings refuse a cost cap beside them) are read too, and added only when AWS
    /// prices them: a made-up figure would leave the cap as blind as a missing one.
    /// </summary>
    [Fact]
    public async Task A_type_the_book_lacks_is_added_when_AWS_prices_it_and_said_when_it_does_not()
    {
        _cloud.SpotPricesOf["t3.medium"] = new() { ["eu-west-1a"] = 0.0171m, ["eu-west-1c"] = 0.0165m };

        var reading = await ReadAsync(null, Region, "ec2.spot.t3.medium", "redshift.ondemand.ra3.4xlarge", "ec2.spot.t3.medium");

        var book = PriceBook.Parse(reading.Json, "read");
        var added = book.Find("ec2.spot.t3.medium")!;
        Assert.Equal((0.0165m, "hour"), (added.Usd, added.Unit));
        Assert.Contains("EC2's current spot price in eu-west-1c", added.Source);
        Assert.Null(book.Find("redshift.ondemand.ra3.4xlarge"));
        var notAdded = Assert.Single(reading.NotAdded);
        Assert.Equal("redshift.ondemand.ra3.4xlarge", notAdded.Key);
        Assert.True(reading.Partial);
        Assert.EndsWith("Not added, as AWS gave no price: redshift.ondemand.ra3.4xlarge (AWS's Price List gives no Hrs rate for it in eu-west-1).", reading.Summary);
        Assert.Contains("ec2.spot.t3.medium", reading.Read);
        // The new keys count in the summary's total: the book's, and the two asked for once each.
        Assert.StartsWith($"Read {reading.Read.Count} of {PriceBook.Default.All.Count + 2} prices", reading.Summary);
    }

    [Fact]
    public async Task Every_price_AWS_lists_for_the_region_is_read_into_a_book_for_that_region()
    {
        var reading = await ReadAsync();
        var book = PriceBook.Parse(reading.Json, "read");

        Assert.Equal(Region, book.Region);
        Assert.Equal(PriceBook.Default.All.Select(p => p.Key).Order(), book.All.Select(p => p.Key).Order());
        var expected = new Dictionary<string, decimal>
        {
            ["ec2.ondemand.t3.xlarge"] = 0.1824m, ["ec2.ondemand.m5.xlarge"] = 0.214m, ["ec2.ondemand.m5a.xlarge"] = 0.192m,
            ["ec2.spot.m5.xlarge"] = 0.0749m, ["ec2.spot.t3.large"] = 0.0319m,
            ["redshift.ondemand.ra3.large"] = 0.601m, ["redshift.ondemand.ra3.xlplus"] = 1.202m,
            ["redshift.rms.gb-month"] = 0.0261m, ["redshift.backup.gb-month"] = 0.0261m, ["redshift.spectrum.tb-scanned"] = 5.0m,
            ["ebs.gp3.gb-month"] = 0.088m, ["ipv4.public.hour"] = 0.005m,
            ["s3.standard.gb-month"] = 0.022m, ["s3.put.1000"] = 0.005m, ["s3.get.1000"] = 0.0004m,
        };
        Assert.Equal(expected, expected.ToDictionary(p => p.Key, p => book.Find(p.Key)!.Usd));
        Assert.Equal(["redshift.ondemand.dc2.large"], reading.Kept.Select(k => k.Key));
        Assert.All(book.All.Where(p => reading.Read.Contains(p.Key)), p => Assert.Equal(Today, p.AsOf));
        Assert.Equal("AWS's Price List API (AmazonRedshift, SKU RA3L, effective 2026-11-01, read 2026-12-06): $0.601 per Hrs (RA3L)", book.Find("redshift.ondemand.ra3.large")!.Source);
        Assert.StartsWith("EC2's current spot price in eu-west-1b, the cheapest of eu-west-1's 2 zones", book.Find("ec2.spot.m5.xlarge")!.Source);
        Assert.Contains("the managed storage rate (redshift.rms.gb-month, read from AWS's Price List for eu-west-1", book.Find("redshift.backup.gb-month")!.Source);
    }

    [Fact]
    public async Task A_price_AWS_lists_no_single_rate_for_keeps_the_books_figure_and_says_why()
    {
        // DC2 nodes are no longer sold, and so not listed; a second product at another rate leaves the choice open.
        Add("AmazonRedshift", "RA3XL-2", "Compute Instance", new() { ["instanceType"] = "ra3.xlplus" }, "Hrs", 1.5m);

        var reading = await ReadAsync();
        var book = PriceBook.Parse(reading.Json, "read");

        Assert.Equal(["redshift.ondemand.dc2.large", "redshift.ondemand.ra3.xlplus"], reading.Kept.Select(k => k.Key));
        Assert.Equal("AWS's Price List gives no Hrs rate for it in eu-west-1", reading.Kept[0].Why);
        Assert.Equal("AWS's Price List gives 2 different rates for it in eu-west-1 ($1.202, $1.5 per Hrs), so none was chosen", reading.Kept[1].Why);
        var dc2 = book.Find("redshift.ondemand.dc2.large")!;
        Assert.Equal(PriceBook.Default.Find(dc2.Key)!.Usd, dc2.Usd);
        Assert.Equal($"Not read for eu-west-1 (AWS's Price List gives no Hrs rate for it in eu-west-1); us-east-2's figure: {PriceBook.Default.Find(dc2.Key)!.Source}", dc2.Source);
        Assert.Equal($"Read {reading.Read.Count} of {PriceBook.Default.All.Count} prices for eu-west-1 from AWS. Kept from the book: " +
            "redshift.ondemand.dc2.large (AWS's Price List gives no Hrs rate for it in eu-west-1); " +
            "redshift.ondemand.ra3.xlplus (AWS's Price List gives 2 different rates for it in eu-west-1 ($1.202, $1.5 per Hrs), so none was chosen).", reading.Summary);

        // Read again for another region, a kept price's source says where its figure comes from once, not twice.
        var again = PriceBook.Parse((await ReadAsync(book, "eu-west-2")).Json, "again");
        Assert.Equal($"Not read for eu-west-2 (AWS's Price List gives no Hrs rate for it in eu-west-2); eu-west-1's figure: {PriceBook.Default.Find(dc2.Key)!.Source}",
            again.Find(dc2.Key)!.Source);
    }

    [Fact]
    public async Task A_rate_in_another_unit_than_the_books_is_not_taken()
    {
        // Were Spectrum billed by the query, a figure per terabyte could not be read off it.
        _cloud.PriceList.RemoveAll(p => p.Rate.Sku == "SCAN");
        Add("AmazonRedshift", "SCAN", "Redshift Data Scan", [], "Queries", 0.01m);

        var reading = await ReadAsync();

        Assert.Contains(new KeptPrice("redshift.spectrum.tb-scanned", "AWS's Price List gives no Terabytes or TB rate for it in eu-west-1"), reading.Kept);
        Assert.Equal(5.0m, PriceBook.Parse(reading.Json, "read").Find("redshift.spectrum.tb-scanned")!.Usd);
    }

    [Fact]
    public async Task A_refusal_every_call_would_meet_ends_the_reading_with_AWSs_fix()
    {
        _cloud.PriceListFailure = new AwsException("pricing:GetProducts", "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/researcher is not authorized to perform: pricing:GetProducts", HttpStatusCode.BadRequest);

        var refusal = await Assert.ThrowsAsync<AwsException>(() => ReadAsync());

        Assert.Contains("pricing:GetProducts", refusal.Message);
    }

    [Fact]
    public async Task A_Price_List_that_does_not_answer_keeps_its_prices_and_the_spot_prices_are_still_read()
    {
        _cloud.PriceListFailure = new AwsException("pricing:GetProducts", "ServiceUnavailableException", "Service is unavailable", HttpStatusCode.ServiceUnavailable);

        var reading = await ReadAsync();

        Assert.All(reading.Read, key => Assert.StartsWith("ec2.spot.", key));
        Assert.Equal(6, reading.Read.Count);
        Assert.All(reading.Kept.SkipLast(1), k => Assert.StartsWith("AWS did not answer: ", k.Why));
        Assert.Equal(new KeptPrice("redshift.backup.gb-month", "follows redshift.rms.gb-month, which was not read"), reading.Kept[^1]);
        Assert.Equal(PriceBook.Default.Find("ebs.gp3.gb-month")!.Usd, PriceBook.Parse(reading.Json, "read").Find("ebs.gp3.gb-month")!.Usd);
    }

    [Fact]
    public void A_written_book_reads_back_price_for_price()
    {
        var written = PriceBook.Parse(PriceBook.Write("us-east-2", PriceBook.Default.All), "written");

        Assert.Equal(PriceBook.Default.All.OrderBy(p => p.Key), written.All.OrderBy(p => p.Key));
        Assert.Equal(PriceBook.Default.All.Count + 7, PriceBook.Write("us-east-2", PriceBook.Default.All).TrimEnd('\n').Split('\n').Length); // a price a line
    }
}
