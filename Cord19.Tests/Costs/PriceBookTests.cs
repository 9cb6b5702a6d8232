using Cord19.Core.Costs;

namespace Cord19.Tests.Costs;

public sealed class PriceBookTests
{
    [Fact]
    public void The_shipped_prices_read_and_each_has_a_source_and_a_date()
    {
        var book = PriceBook.Default;
        Assert.Equal("us-east-2", book.Region);
        Assert.Equal(0.005m, book.Find("ipv4.public.hour")!.Usd);
        Assert.All(book.All, p => Assert.False(string.IsNullOrWhiteSpace(p.Source)));
        Assert.NotNull(book.Find("ec2.spot.t3.xlarge"));
        Assert.NotNull(book.Find("redshift.ondemand.dc2.large"));
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "{ \"schemaVersion\": 1, \"prices\": [ { \"key\": \"ec2.spot.t3.xlarge\", \"usd\": 0.05 ", "not valid JSON" },
        { Entry("ec2.spto.t3.xlarge", "0.05"), "unknown key" },
        { Entry("ipv4.public.hour", "-0.005"), "\"usd\" of zero or more" },
        { Entry("ec2.spot.t3.xlarge", "499"), "check the decimal point" },
        { "{ \"schemaVersion\": 1, \"prices\": [] }", "has no \"prices\"" },
        { "{ \"schemaVersion\": 1, \"prices\": [ { \"key\": \"ipv4.public.hour\", \"usd\": 0.005, \"unit\": \"hour\", \"source\": \"x\" } ] }", "needs an \"asOf\" date" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_price_file_is_refused_with_the_entry_and_the_fix(string json, string expected)
    {
        var error = Assert.Throws<PriceBookException>(() => PriceBook.Parse(json, "prices.json"));
        Assert.Contains("prices.json", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Stale_prices_are_flagged()
    {
        var book = PriceBook.Parse(Entry("ipv4.public.hour", "0.005", asOf: "2020-01-01"), "old.json");
        Assert.Single(book.Stale(new DateOnly(2026, 11, 26)));
        Assert.Empty(PriceBook.Default.Stale(new DateOnly(2026, 11, 26)));
    }

    [Fact]
    public void The_meter_warns_of_a_stale_price_it_prices_by_and_not_of_the_others()
    {
        var book = PriceBook.Parse("""
            { "schemaVersion": 1, "prices": [
              { "key": "ipv4.public.hour", "usd": 0.005, "unit": "hour", "asOf": "2020-01-01", "source": "test" },
              { "key": "ebs.gp3.gb-month", "usd": 0.08, "unit": "GB-month", "asOf": "2020-01-01", "source": "test" },
              { "key": "ec2.spot.m5.xlarge", "usd": 0.06, "unit": "hour", "asOf": "2026-11-01", "source": "test" } ] }
            """, "old.json");
        var at = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);
        MeteredResource[] address =
        [
            new("address", MeterKind.PublicIpv4, "ipv4.public.hour", 1, [new(at.AddHours(-1), null)]),
            new("instance", MeterKind.Ec2Instance, "ec2.spot.m5.xlarge", 1, [new(at.AddHours(-1), null)]),
        ];

        var snapshot = CostMeter.Measure(Guid.NewGuid(), at.AddHours(-1), false, false, address, book, at, at.AddHours(1), null, null);

        Assert.Equal("The price 'ipv4.public.hour' was read on 2020-01-01, over a year ago: check it in Settings.", Assert.Single(snapshot.Warnings));
    }

    private static string Entry(string key, string usd, string asOf = "2026-11-01") =>
        $$"""{ "schemaVersion": 1, "prices": [ { "key": "{{key}}", "usd": {{usd}}, "unit": "hour", "asOf": "{{asOf}}", "source": "test" } ] }""";
}
