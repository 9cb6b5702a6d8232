using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cord19.Core.Aws;
using Cord19.Tests.Support.Aws;

namespace Cord19.Tests.Aws;

/// <summary>
/// GetProducts on the wire: asked of the Price List's us-east-1 endpoint whatever the deployment's region, checked
/// against the botocore model, paged by NextToken, and each product read from the JSON document AWS sends as a string
/// (the model's jsonvalue member). The products are written in the shape public code that reads the real API parses
/// (product, attributes, terms.OnDemand, priceDimensions, pricePerUnit.USD), since moto has no Price List and no real
/// answer was seen here.
/// </summary>
public sealed class PriceListWireTests
{
    /// <summary>A product as GetProducts writes it: one on-demand term, its dimensions keyed by rate code.</summary>
    public static string Product(string sku, string family, IReadOnlyDictionary<string, string> attributes, params (string Unit, string Usd, string Begin, string Description)[] tiers) =>
        new JsonObject
        {
            ["product"] = new JsonObject
            {
                ["productFamily"] = family,
                ["attributes"] = new JsonObject(attributes.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))),
                ["sku"] = sku,
            },
            ["serviceCode"] = attributes.GetValueOrDefault("servicecode", "AmazonEC2"),
            ["terms"] = new JsonObject
            {
                ["OnDemand"] = new JsonObject
                {
                    [$"{sku}.JRTCKXETXF"] = new JsonObject
                    {
                        ["priceDimensions"] = new JsonObject(tiers.Select((t, i) => KeyValuePair.Create($"{sku}.JRTCKXETXF.6YS6EN2CT{i}", (JsonNode?)new JsonObject
                        {
                            ["unit"] = t.Unit,
                            ["endRange"] = "Inf",
                            ["description"] = t.Description,
                            ["appliesTo"] = new JsonArray(),
                            ["rateCode"] = $"{sku}.JRTCKXETXF.6YS6EN2CT{i}",
                            ["beginRange"] = t.Begin,
                            ["pricePerUnit"] = new JsonObject { ["USD"] = t.Usd },
                        }))),
                        ["sku"] = sku,
                        ["effectiveDate"] = "2026-11-01T00:00:00Z",
                        ["offerTermCode"] = "JRTCKXETXF",
                        ["termAttributes"] = new JsonObject(),
                    },
                },
            },
            ["version"] = "20261101000000",
            ["publicationDate"] = "2026-11-01T00:00:00Z",
        }.ToJsonString();

    public static readonly string InUseAddress = Product("7Y4B5H9T3N2Q8WXZ", "", new Dictionary<string, string>
    {
        ["regionCode"] = "us-east-2", ["servicecode"] = "AmazonVPC", ["usagetype"] = "USE2-PublicIPv4:InUseAddress", ["operation"] = "",
    }, ("Hrs", "0.0050000000", "0", "$0.005 per In-use public IPv4 address per hour"));

    private static readonly string Storage = Product("QMBE4Z6D6FVDU3Z2", "Storage", new Dictionary<string, string>
    {
        ["regionCode"] = "us-east-2", ["servicecode"] = "AmazonS3", ["storageClass"] = "General Purpose", ["volumeType"] = "Standard",
    }, ("GB-Mo", "0.0210000000", "512000", "$0.021 per GB - storage used / month over 500 TB"),
       ("GB-Mo", "0.0230000000", "0", "$0.023 per GB - first 50 TB / month of storage used"),
       ("GB-Mo", "0.0220000000", "51200", "$0.022 per GB - next 450 TB / month of storage used"));

    [Fact]
    public async Task Products_are_asked_of_us_east_1_page_by_page_and_read_from_their_JSON_strings()
    {
        var handler = new ScriptedAwsHandler(request => ScriptedAwsHandler.Json(request.Body.Contains("\"NextToken\"", StringComparison.Ordinal)
            ? new JsonObject { ["FormatVersion"] = "aws_v1", ["PriceList"] = new JsonArray(Storage) }
            : new JsonObject { ["FormatVersion"] = "aws_v1", ["PriceList"] = new JsonArray(InUseAddress), ["NextToken"] = "page-2" }));
        using var cloud = handler.Cloud("eu-west-1");

        var rates = await cloud.ListedPricesAsync("AmazonS3", [new("regionCode", "eu-west-1"), new("usagetype", "PublicIPv4:InUseAddress", "CONTAINS")], default);

        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, request =>
        {
            Assert.Equal("api.pricing.us-east-1.amazonaws.com", request.Uri.Host);
            Assert.Contains("/us-east-1/pricing/aws4_request", request.Headers["Authorization"]);
            Assert.Equal("AWSPriceListService.GetProducts", request.Target);
            Assert.Empty(handler.Model("pricing").CheckJson(request.Target!, JsonDocument.Parse(request.Body).RootElement));
        });
        var first = JsonDocument.Parse(handler.Requests[0].Body).RootElement;
        Assert.Equal("AmazonS3", first.GetProperty("ServiceCode").GetString());
        Assert.Equal("""[{"Type":"TERM_MATCH","Field":"regionCode","Value":"eu-west-1"},{"Type":"CONTAINS","Field":"usagetype","Value":"PublicIPv4:InUseAddress"}]""",
            first.GetProperty("Filters").GetRawText());
        Assert.False(first.TryGetProperty("NextToken", out _));
        Assert.Equal("page-2", JsonDocument.Parse(handler.Requests[1].Body).RootElement.GetProperty("NextToken").GetString());

        var address = rates[0];
        Assert.Equal(("7Y4B5H9T3N2Q8WXZ", "", "USE2-PublicIPv4:InUseAddress", "Hrs", 0.005m, "0", new DateOnly(2026, 11, 1)),
            (address.Sku, address.ProductFamily, address.Attributes["usagetype"], address.Unit, address.Usd, address.BeginRange, address.EffectiveDate));
        Assert.Equal("$0.005 per In-use public IPv4 address per hour", address.Description);
        Assert.Equal([("512000", 0.021m), ("0", 0.023m), ("51200", 0.022m)], rates.Skip(1).Select(r => (r.BeginRange, r.Usd)));
        Assert.All(rates.Skip(1), r => Assert.Equal("Storage", r.ProductFamily));
    }

    /// <summary>
    /// What gives no on-demand rate is passed over, and the rest is read: a product with reserved terms only, a term
    /// without dimensions, a dimension priced in another currency.
    /// </summary>
    [Fact]
    public async Task Products_without_an_on_demand_rate_in_dollars_are_passed_over()
    {
        const string reservedOnly = """{"product":{"sku":"RESERVED1","attributes":{}},"terms":{"Reserved":{"RESERVED1.X":{"priceDimensions":{}}}}}""";
        const string noDimensions = """{"product":{"sku":"NODIMS1","attributes":{}},"terms":{"OnDemand":{"NODIMS1.X":{"sku":"NODIMS1"}}}}""";
        const string otherCurrency = """{"product":{"sku":"CNY1","attributes":{}},"terms":{"OnDemand":{"CNY1.X":{"priceDimensions":{"CNY1.X.Y":{"unit":"Hrs","pricePerUnit":{"CNY":"1.2"}}}}}}}""";
        var handler = new ScriptedAwsHandler(_ => ScriptedAwsHandler.Json(new JsonObject
        {
            ["FormatVersion"] = "aws_v1", ["PriceList"] = new JsonArray(reservedOnly, noDimensions, otherCurrency, InUseAddress),
        }));
        using var cloud = handler.Cloud("us-east-2");

        var rates = await cloud.ListedPricesAsync("AmazonVPC", [new("regionCode", "us-east-2")], default);

        Assert.Equal([("7Y4B5H9T3N2Q8WXZ", 0.005m)], rates.Select(r => (r.Sku, r.Usd)));
    }

    [Fact]
    public async Task A_product_that_is_not_JSON_is_an_unreadable_answer_not_a_crash()
    {
        var handler = new ScriptedAwsHandler(_ => ScriptedAwsHandler.Json(new JsonObject { ["PriceList"] = new JsonArray("<html>") }));
        using var cloud = handler.Cloud("us-east-2");

        var refusal = await Assert.ThrowsAsync<AwsException>(() => cloud.ListedPricesAsync("AmazonEC2", [new("regionCode", "us-east-2")], default));

        Assert.Equal(("pricing:GetProducts", "UnreadableResponse"), (refusal.Action, refusal.Code));
    }

    [Fact]
    public async Task A_refusal_names_the_permission_to_grant()
    {
        var handler = new ScriptedAwsHandler(_ => ScriptedAwsHandler.JsonError("AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/researcher is not authorized to perform: pricing:GetProducts", HttpStatusCode.BadRequest));
        using var cloud = handler.Cloud("us-east-2");

        var refusal = await Assert.ThrowsAsync<AwsException>(() => cloud.ListedPricesAsync("AmazonEC2", [new("regionCode", "us-east-2")], default));

        Assert.Equal(AwsErrorKind.Denied, refusal.Kind);
        Assert.Contains("pricing:GetProducts", refusal.Message);
    }
}
