using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Tests.Support;

namespace Cord19.Tests.Api;

[Collection(InProcessHostCollection.Name)]
public sealed class PhaseApiTests : ApiTest
{

    [Fact]
    public async Task Lists_the_seven_phases_with_number_name_and_status()
    {
        var phases = await Http.GetFromJsonAsync<JsonElement[]>("/api/phases");

        Assert.Equal(Enumerable.Range(1, 7), phases!.Select(p => p.GetProperty("number").GetInt32()));
        Assert.All(phases!, p => Assert.Equal("NotStarted", p.GetProperty("status").GetString()));
        Assert.Equal("DAGs ready", phases![2].GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_phase_runs_as_a_background_job_and_its_status_and_log_follow()
    {
        var response = await Http.PostAsync("/api/phases/1/run", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Running", accepted.GetProperty("status").GetString());
        var runId = accepted.GetProperty("runId").GetGuid();
        Assert.Equal($"/api/runs/{runId}/log", response.Headers.Location!.OriginalString);

        var status = await WaitForStatusAsync(1, s => s != "Running");
        Assert.Equal("Succeeded", status);
        var log = await Http.GetFromJsonAsync<JsonElement[]>($"/api/runs/{runId}/log");
        Assert.Contains(log!, l => l.GetProperty("message").GetString()!.StartsWith("Workspace ready"));
    }

    [Fact]
    public async Task Out_of_order_and_duplicate_requests_get_409_with_the_reason()
    {
        var early = await Http.PostAsync("/api/phases/5/run", null);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("application/problem+json", early.Content.Headers.ContentType!.MediaType);
        var problem = await early.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("run phase 1 first", problem.GetProperty("detail").GetString());

        var first = Http.PostAsync("/api/phases/1/run", null);
        var second = Http.PostAsync("/api/phases/1/run", null);
        var codes = (await Task.WhenAll(first, second)).Select(r => r.StatusCode).Order().ToList();
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], codes);
        await WaitForStatusAsync(1, s => s != "Running");
    }

    [Theory]
    [InlineData("/api/phases/0/run", HttpStatusCode.NotFound)]
    [InlineData("/api/phases/8/run", HttpStatusCode.NotFound)]
    [InlineData("/api/phases/one/run", HttpStatusCode.NotFound)]
    [InlineData("/api/phases/1/run?resume=maybe", HttpStatusCode.BadRequest)]
    public async Task Bad_requests_get_a_4xx(string url, HttpStatusCode expected)
    {
        var response = await Http.PostAsync(url, null);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Settings_are_validated_with_a_problem_that_names_the_field()
    {
        var bad = await Http.PutAsJsonAsync("/api/settings", new { clusters = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("Clusters (k) is 0", await bad.Content.ReadAsStringAsync());

        var good = await Http.PutAsJsonAsync("/api/settings", new { clusters = 7, subsetSize = 500 });
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var saved = await Http.GetFromJsonAsync<JsonElement>("/api/settings");
        Assert.Equal(7, saved.GetProperty("clusters").GetInt32());
        Assert.Equal(5, saved.GetProperty("topicsPerCluster").GetInt32());
    }

    [Fact]
    public async Task The_pages_and_the_job_dashboard_are_served_to_a_signed_in_caller()
    {
        foreach (var path in new[] { "/", "/results", "/clusters", "/topics", "/compare", "/costs", "/settings", "/hangfire" })
        {
            var response = await Http.GetAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        }
        Assert.Contains("Pipeline deployment", await Http.GetStringAsync("/"));
    }

    private async Task<string> WaitForStatusAsync(int phase, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var phases = await Http.GetFromJsonAsync<JsonElement[]>("/api/phases");
            var status = phases![phase - 1].GetProperty("status").GetString()!;
            if (done(status) || DateTime.UtcNow > deadline) return status;
            await Task.Delay(100);
        }
    }
}
