using System.Globalization;
using System.Text.Json;
using Cord19.Core.Aws;
using static Cord19.Core.Json.LenientJson;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    /// <summary>More pages than any one price the panel asks for has (a handful of products); a filter gone wrong stops here.</summary>
    private const int PriceListPages = 5;

    public async Task<IReadOnlyList<ListedPrice>> ListedPricesAsync(string serviceCode, IReadOnlyList<PriceFilter> filters, CancellationToken ct)
    {
        var prices = new List<ListedPrice>();
        string? next = null;
        for (var page = 0; page < PriceListPages; page++)
        {
            var request = new Dictionary<string, object>
            {
                ["ServiceCode"] = serviceCode,
                ["Filters"] = filters.Select(f => new { f.Type, f.Field, f.Value }).ToList(),
                ["FormatVersion"] = "aws_v1",
                ["MaxResults"] = 100,
            };
            if (next is not null) request["NextToken"] = next;
            var answer = await Api.JsonAsync(AwsService.Pricing, "GetProducts", request, ct);
            // Each product comes as a JSON document in a string, as the model says (a jsonvalue member).
            foreach (var item in Array(answer, "PriceList"))
                prices.AddRange(OnDemandRates(item.ValueKind == JsonValueKind.String ? item.GetString() : null));
            if ((next = Str(answer, "NextToken")) is null) break;
        }
        return prices;
    }

    private static IEnumerable<ListedPrice> OnDemandRates(string? json)
    {
        JsonElement product;
        try
        {
            using var document = JsonDocument.Parse(json ?? "");
            product = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new AwsException("pricing:GetProducts", "UnreadableResponse", $"a product in the answer was not JSON ({ex.Message})", null, ex);
        }
        var described = Object(product, "product");
        var attributes = Object(described, "attributes") is { ValueKind: JsonValueKind.Object } a
            ? a.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal)
            : [];
        var onDemand = Object(Object(product, "terms"), "OnDemand");
        if (onDemand.ValueKind != JsonValueKind.Object) yield break;
        foreach (var term in onDemand.EnumerateObject().Select(t => t.Value))
        {
            var effective = Str(term, "effectiveDate") is { Length: >= 10 } date && DateOnly.TryParseExact(date[..10], "yyyy-MM-dd", out var day) ? day : (DateOnly?)null;
            var dimensions = Object(term, "priceDimensions");
            if (dimensions.ValueKind != JsonValueKind.Object) continue;
            foreach (var dimension in dimensions.EnumerateObject().Select(d => d.Value))
            {
                if (!decimal.TryParse(Str(Object(dimension, "pricePerUnit"), "USD"), NumberStyles.Float, CultureInfo.InvariantCulture, out var usd)) continue;
                yield return new ListedPrice(Str(described, "sku") ?? Str(term, "sku") ?? "", Str(described, "productFamily"), attributes,
                    Str(dimension, "unit") ?? "", usd, Str(dimension, "beginRange") ?? "0", effective, Str(dimension, "description") ?? "");
            }
        }
    }
}
