using System.Globalization;
using System.Text.Json;
using Cord19.Core.Aws;
using static Cord19.Core.Json.LenientJson;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    public async Task<CostAllocationTagState?> CostAllocationTagAsync(string key, CancellationToken ct)
    {
        var answer = await Api.JsonAsync(AwsService.CostExplorer, "ListCostAllocationTags", new { TagKeys = new[] { key }, Type = "UserDefined" }, ct);
        var tag = Array(answer, "CostAllocationTags").FirstOrDefault(t => Str(t, "TagKey") == key);
        return Str(tag, "Status") switch
        {
            "Active" => CostAllocationTagState.Active,
            "Inactive" => CostAllocationTagState.Inactive,
            _ => null,
        };
    }

    /// <summary>Every page is a request Cost Explorer charges for: a deployment's few days and services fit in one.</summary>
    private const int BillPages = 3;

    public async Task<IReadOnlyList<BilledService>> BilledAsync(string key, string value, DateOnly from, DateOnly until, CancellationToken ct)
    {
        var services = new Dictionary<string, (decimal Usd, bool Estimated)>(StringComparer.Ordinal);
        string? next = null;
        for (var page = 0; page < BillPages; page++)
        {
            var request = new Dictionary<string, object>
            {
                ["TimePeriod"] = new { Start = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), End = until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
                ["Granularity"] = "DAILY",
                ["Metrics"] = new[] { "UnblendedCost" },
                ["Filter"] = new { Tags = new { Key = key, Values = new[] { value } } },
                ["GroupBy"] = new[] { new { Type = "DIMENSION", Key = "SERVICE" } },
            };
            if (next is not null) request["NextPageToken"] = next;
            var answer = await Api.JsonAsync(AwsService.CostExplorer, "GetCostAndUsage", request, ct);
            foreach (var day in Array(answer, "ResultsByTime"))
            {
                var estimated = Bool(day, "Estimated") ?? false;
                foreach (var group in Array(day, "Groups"))
                {
                    var service = Array(group, "Keys").Select(k => k.ValueKind == JsonValueKind.String ? k.GetString() : null).FirstOrDefault();
                    if (service is null) continue;
                    if (!decimal.TryParse(Str(Object(Object(group, "Metrics"), "UnblendedCost"), "Amount"), NumberStyles.Float, CultureInfo.InvariantCulture, out var usd)) continue;
                    var (sum, open) = services.GetValueOrDefault(service);
                    services[service] = (sum + usd, open || estimated);
                }
            }
            if ((next = Str(answer, "NextPageToken")) is null) break;
        }
        return [.. services.OrderByDescending(s => s.Value.Usd).Select(s => new BilledService(s.Key, s.Value.Usd, s.Value.Estimated))];
    }
}
