using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Tests.Support;

namespace Cord19.Tests.Api;

[Collection(InProcessHostCollection.Name)]
public sealed class CostApiTests : ApiTest
{

    [Fact]
    public async Task Costs_are_served_as_json_per_resource_and_in_total()
    {
        var before = await Http.GetFromJsonAsync<JsonElement>("/api/costs");
        Assert.Equal(0m, before.GetProperty("accrued").GetDecimal());

        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostAsync("/api/phases/1/run", null)).StatusCode);
        var costs = await GetOnceAsync("/api/costs", c => c.GetProperty("resources").GetArrayLength() > 0);

        Assert.True(costs.GetProperty("awsEquivalent").GetBoolean());
        Assert.True(costs.GetProperty("accrued").GetDecimal() > 0, "the instance's 60-second minimum is accrued at once");
        Assert.Equal(0.0576m + 30 * 0.08m / 730 + 0.005m, costs.GetProperty("burnRatePerHour").GetDecimal(), 5);
        Assert.True(costs.GetProperty("projected").GetDecimal() > costs.GetProperty("accrued").GetDecimal());
        var names = costs.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
        Assert.Contains("EC2 spot instance (m5.xlarge)", names);
        Assert.All(costs.GetProperty("resources").EnumerateArray(), r => Assert.True(r.TryGetProperty("accrued", out _)));
    }

    [Fact]
    public async Task The_estimate_lists_seven_phases()
    {
        var estimate = await Http.GetFromJsonAsync<JsonElement[]>("/api/costs/estimate");
        Assert.Equal(7, estimate!.Length);
        Assert.All(estimate, e => Assert.True(e.GetProperty("usd").GetDecimal() >= 0));
    }

    [Fact]
    public async Task The_history_gives_each_deployment_its_cost_and_the_current_one_over_time()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostAsync("/api/phases/1/run", null)).StatusCode);
        var history = await GetOnceAsync("/api/costs/history", h => h.GetProperty("cumulative").GetArrayLength() > 0);

        Assert.Equal(7, history.GetProperty("estimates").GetArrayLength());
        var past = Assert.Single(history.GetProperty("pastDeployments").EnumerateArray());
        Assert.True(past.GetProperty("usd").GetDecimal() > 0);
        var samples = history.GetProperty("cumulative").EnumerateArray().Select(s => s.GetProperty("accrued").GetDecimal()).ToList();
        Assert.Equal(61, samples.Count);
        Assert.Equal(samples.Order(), samples); // a cost only ever grows
        Assert.Contains("price book", history.GetProperty("spot").GetProperty("source").GetString());
    }

    /// <summary>The answer at <paramref name="path"/> once it satisfies <paramref name="ready"/> (the meter ticks once a second), or the last one after 10 s.</summary>
    private async Task<JsonElement> GetOnceAsync(string path, Func<JsonElement, bool> ready)
    {
        JsonElement answer = default;
        for (var i = 0; i < 100; i++)
        {
            answer = await Http.GetFromJsonAsync<JsonElement>(path);
            if (ready(answer)) break;
            await Task.Delay(100);
        }
        return answer;
    }
}
