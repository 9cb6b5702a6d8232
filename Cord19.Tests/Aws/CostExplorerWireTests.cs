using System.Text.Json;
using System.Text.Json.Nodes;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;

namespace Cord19.Tests.Aws;

/// <summary>
/// Cost Explorer on the wire: its one endpoint (us-east-1) whatever the deployment's region, each request checked
/// against the botocore model, and a grouped daily answer (in the model's output shape: ResultsByTime, Groups, Keys,
/// Metrics) summed by service.
/// </summary>
public sealed class CostExplorerWireTests
{
    /// <summary>A day's answer; <paramref name="estimated"/> null leaves the field out, and a null amount leaves out the group's.</summary>
    private static JsonObject Day(string start, string end, bool? estimated, params (string Service, string? Amount)[] groups)
    {
        var day = new JsonObject
        {
            ["TimePeriod"] = new JsonObject { ["Start"] = start, ["End"] = end },
            ["Total"] = new JsonObject(),
            ["Groups"] = new JsonArray([.. groups.Select(g => (JsonNode)new JsonObject
            {
                ["Keys"] = new JsonArray(g.Service),
                ["Metrics"] = new JsonObject
                {
                    ["UnblendedCost"] = g.Amount is null ? new JsonObject { ["Unit"] = "USD" } : new JsonObject { ["Amount"] = g.Amount, ["Unit"] = "USD" },
                },
            })]),
        };
        if (estimated is { } value) day["Estimated"] = value;
        return day;
    }

    [Fact]
    public async Task The_bill_is_asked_by_tag_and_day_grouped_by_service_and_summed_across_days_and_pages()
    {
        var handler = new ScriptedAwsHandler(request => request.Operation switch
        {
            "GetCostAndUsage" when !request.Body.Contains("NextPageToken", StringComparison.Ordinal) => ScriptedAwsHandler.Json(new JsonObject
            {
                // A day that does not say whether it is estimated is final; a group without an amount is passed over.
                ["ResultsByTime"] = new JsonArray(Day("2026-12-01", "2026-12-02", null, ("Amazon Redshift", "0.3100000000"), ("Amazon Elastic Compute Cloud - Compute", "0.12"),
                    ("Amazon Simple Storage Service", null))),
                ["NextPageToken"] = "page-2",
            }),
            "GetCostAndUsage" => ScriptedAwsHandler.Json(new JsonObject
            {
                ["ResultsByTime"] = new JsonArray(Day("2026-12-02", "2026-12-03", true, ("Amazon Redshift", "0.3"))),
            }),
            _ => ScriptedAwsHandler.Json(new JsonObject
            {
                ["CostAllocationTags"] = new JsonArray(
                    new JsonObject { ["TagKey"] = "cord19:other", ["Type"] = "UserDefined", ["Status"] = "Inactive" },
                    new JsonObject { ["TagKey"] = ResourceTags.DeploymentKey, ["Type"] = "UserDefined", ["Status"] = "Active" }),
            }),
        });
        using var cloud = handler.Cloud("eu-west-1");

        var tag = await cloud.CostAllocationTagAsync(ResourceTags.DeploymentKey, default);
        var billed = await cloud.BilledAsync(ResourceTags.DeploymentKey, "1a2b3c4d", new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 3), default);

        Assert.All(handler.Requests, request =>
        {
            Assert.Equal("ce.us-east-1.amazonaws.com", request.Uri.Host);
            Assert.Contains("/us-east-1/ce/aws4_request", request.Headers["Authorization"]);
            Assert.Empty(handler.Model("ce").CheckJson(request.Target!, JsonDocument.Parse(request.Body).RootElement));
        });
        Assert.Equal(CostAllocationTagState.Active, tag); // its own key's, not the first listed
        var asked = JsonDocument.Parse(handler.Requests[1].Body).RootElement;
        Assert.Equal("""{"Start":"2026-12-01","End":"2026-12-03"}""", asked.GetProperty("TimePeriod").GetRawText());
        Assert.Equal("""{"Tags":{"Key":"cord19:deployment","Values":["1a2b3c4d"]}}""", asked.GetProperty("Filter").GetRawText());
        Assert.Equal("""[{"Type":"DIMENSION","Key":"SERVICE"}]""", asked.GetProperty("GroupBy").GetRawText());
        Assert.Equal("""["UnblendedCost"]""", asked.GetProperty("Metrics").GetRawText());
        Assert.Equal("page-2", JsonDocument.Parse(handler.Requests[2].Body).RootElement.GetProperty("NextPageToken").GetString());
        Assert.Equal([new BilledService("Amazon Redshift", 0.61m, true), new BilledService("Amazon Elastic Compute Cloud - Compute", 0.12m, false)], billed);
    }

    [Fact]
    public async Task A_tag_Cost_Explorer_lists_as_inactive_or_not_at_all_is_told_apart()
    {
        var listed = new JsonArray();
        var handler = new ScriptedAwsHandler(_ => ScriptedAwsHandler.Json(new JsonObject { ["CostAllocationTags"] = listed.DeepClone() }));
        using var cloud = handler.Cloud("us-east-2");

        Assert.Null(await cloud.CostAllocationTagAsync(ResourceTags.DeploymentKey, default));
        listed.Add(new JsonObject { ["TagKey"] = ResourceTags.DeploymentKey, ["Type"] = "UserDefined", ["Status"] = "Inactive" });
        Assert.Equal(CostAllocationTagState.Inactive, await cloud.CostAllocationTagAsync(ResourceTags.DeploymentKey, default));
    }
}
