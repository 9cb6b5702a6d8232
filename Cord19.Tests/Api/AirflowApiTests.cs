using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cord19.Core.Airflow;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Airflow;
using Microsoft.Extensions.DependencyInjection;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Cord19.Tests.Api;

/// <summary>The server's Airflow endpoints: only the listed operations, only to the configured Airflow, its credentials kept.</summary>
[Collection(InProcessHostCollection.Name)]
public sealed class AirflowApiTests
{
    [Fact]
    public async Task Without_airflow_the_api_says_how_to_configure_one()
    {
        await using var app = new WebAppFactory();
        var http = app.CreateClient();

        var status = await http.GetFromJsonAsync<JsonElement>("/api/airflow");
        Assert.Contains(AirflowOptions.UrlVariable, status.GetProperty("problem").GetString());

        var dags = await http.GetAsync("/api/airflow/dags");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, dags.StatusCode);
        Assert.Contains(AirflowOptions.UrlVariable, await dags.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateAnonymousClient().GetAsync("/api/airflow/dags")).StatusCode);
    }

    [Fact]
    public async Task Operations_reach_the_configured_airflow_with_the_servers_credentials_only()
    {
        var seen = new List<(string Path, string? Authorization, string? Cookie, string Body)>();
        await using var airflow = await FaultServer.AirflowAsync("v1", async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            lock (seen) seen.Add(($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}",
                context.Request.Headers.Authorization.FirstOrDefault(), context.Request.Headers.Cookie.FirstOrDefault(), body));
            await (context.Request.Path.Value!.EndsWith("/dagRuns") && context.Request.Method == "POST"
                ? HttpResults.Json(new { dag_id = "cord19_processing", dag_run_id = "manual__1", state = "queued", conf = JsonNode.Parse(body)!["conf"] })
                : context.Request.Path.Value.EndsWith("/dags")
                    ? HttpResults.Json(new { dags = new[] { new { dag_id = "cord19_processing", is_paused = true } }, total_entries = 1 })
                    : HttpResults.Json(new { type = "about:blank", title = "DAG not found", status = 404, detail = "DAG with dag_id: 'nope' not found" }, statusCode: 404))
                .ExecuteAsync(context);
        });
        await using var app = new WebAppFactory(settings: new Dictionary<string, string>
        {
            [AirflowOptions.UrlVariable] = airflow.BaseUrl.ToString(),
            [AirflowOptions.UserVariable] = "panel",
            [AirflowOptions.PasswordVariable] = "airflow-password-42",
        });
        var http = app.CreateClient();
        http.DefaultRequestHeaders.Add("Cookie", "session=browser-cookie");

        var dags = await http.GetStringAsync("/api/airflow/dags");
        Assert.Contains("cord19_processing", dags);
        var triggered = await http.PostAsJsonAsync("/api/airflow/dags/cord19_processing/runs", new { scope = "subset" });
        Assert.Equal(HttpStatusCode.OK, triggered.StatusCode);
        var unknown = await http.GetAsync("/api/airflow/dags/nope/runs");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var unknownText = await unknown.Content.ReadAsStringAsync();
        Assert.Contains("does not know it (404)", unknownText);
        Assert.DoesNotContain("DAG with dag_id", unknownText); // Airflow's body is summarised, not echoed

        // Airflow got the server's Basic credentials, never the browser's bearer token or cookie...
        var calls = seen.Where(s => !s.Path.Contains("/version")).ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal("Basic " + Convert.ToBase64String("panel:airflow-password-42"u8.ToArray()), c.Authorization));
        Assert.All(calls, c => Assert.Null(c.Cookie));
        Assert.Equal("""{"scope":"subset"}""", JsonNode.Parse(calls[1].Body)!["conf"]!.ToJsonString());
        // ...and nothing the browser got names Airflow's password or address.
        foreach (var answer in new[] { dags, await triggered.Content.ReadAsStringAsync(), await http.GetStringAsync("/api/airflow") })
        {
            Assert.DoesNotContain("airflow-password-42", answer);
            Assert.DoesNotContain(airflow.BaseUrl.Authority, answer);
        }
    }

    [Theory]
    [InlineData("/api/airflow/dags/..%2F..%2Fadmin/runs")]
    [InlineData("/api/airflow/dags/a%20b/runs")]
    [InlineData("/api/airflow/dags/ok/runs/bad%2Frun/tasks")]
    [InlineData("/api/airflow/dags/ok/runs/r/tasks/t/logs/-1")]
    public async Task Ids_that_are_not_airflows_are_refused_before_anything_is_sent(string path)
    {
        await using var app = new WebAppFactory(settings: new Dictionary<string, string> { [AirflowOptions.UrlVariable] = "http://127.0.0.1:9/" });
        var answer = await app.CreateClient().GetAsync(path);
        Assert.True(answer.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {answer.StatusCode}");
    }

    [Fact]
    public async Task There_is_no_passthrough_to_other_airflow_paths()
    {
        await using var app = new WebAppFactory(settings: new Dictionary<string, string> { [AirflowOptions.UrlVariable] = "http://127.0.0.1:9/" });
        var http = app.CreateClient();
        foreach (var path in new[] { "/api/airflow/api/v1/users", "/api/airflow/variables", "/api/airflow/connections", "/api/airflow/dags/d/delete" })
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(path)).StatusCode);
        var badScope = await http.PostAsJsonAsync("/api/airflow/dags/cord19_processing/runs", new { scope = "everything" });
        Assert.Equal(HttpStatusCode.BadRequest, badScope.StatusCode);
        Assert.Contains("'subset' or 'full'", await badScope.Content.ReadAsStringAsync());
        // A conf naming a key twice was a 500 (System.Text.Json keeps both, then throws when the object is first read).
        var twice = await http.PostAsync("/api/airflow/dags/cord19_processing/runs",
            new StringContent("""{"conf": {"scope": "full", "scope": "subset"}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        var notAnObject = await http.PostAsync("/api/airflow/dags/cord19_processing/runs",
            new StringContent("""{"conf": [1, 2]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notAnObject.StatusCode);
        Assert.Contains("must be a JSON object", await notAnObject.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_reports_an_unreachable_airflow_as_degraded_without_its_address()
    {
        await using var app = new WebAppFactory(settings: new Dictionary<string, string> { [AirflowOptions.UrlVariable] = "http://127.0.0.1:9/" });
        var ready = await app.CreateAnonymousClient().GetAsync("/health/ready");
        var text = await ready.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var airflow = JsonDocument.Parse(text).RootElement.GetProperty("checks").GetProperty("airflow");
        Assert.Equal("Degraded", airflow.GetProperty("status").GetString());
        Assert.Contains("Unreachable", airflow.GetProperty("description").GetString());
        Assert.DoesNotContain("127.0.0.1:9", text);
    }

    [Fact]
    public async Task Readiness_answers_within_docker_composes_5_s_while_airflow_takes_the_request_and_never_answers()
    {
        await using var airflow = await FaultServer.AirflowAsync("v1", context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        await using var app = new WebAppFactory(settings: new Dictionary<string, string> { [AirflowOptions.UrlVariable] = airflow.BaseUrl.ToString() });
        var http = app.CreateAnonymousClient();
        await http.GetAsync("/health/live"); // the host's start is not the probe's

        var probe = System.Diagnostics.Stopwatch.StartNew();
        var ready = await http.GetFromJsonAsync<JsonElement>("/health/ready");
        probe.Stop();

        Assert.True(probe.Elapsed < TimeSpan.FromSeconds(5), $"The probe took {probe.Elapsed.TotalSeconds:0.0} s.");
        var check = ready.GetProperty("checks").GetProperty("airflow");
        Assert.Equal("Degraded", check.GetProperty("status").GetString());
        Assert.Equal("Airflow did not answer within 3 s.", check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Readiness_gives_a_check_that_throws_unexpectedly_its_state_but_not_the_exceptions_text()
    {
        var throwing = System.Reflection.DispatchProxy.Create<IAirflowClient, ThrowsWithAPath>();
        await using var app = new WebAppFactory(services: s => s.AddSingleton(throwing));

        var text = await (await app.CreateAnonymousClient().GetAsync("/health/ready")).Content.ReadAsStringAsync();

        var check = JsonDocument.Parse(text).RootElement.GetProperty("checks").GetProperty("airflow");
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Equal("The check failed unexpectedly; the panel's log has the cause.", check.GetProperty("description").GetString());
        Assert.DoesNotContain(ThrowsWithAPath.Secret, text);
    }

    /// <summary>
    /// Hangfire's PostgreSQL storage, its database gone, once threw something other than Npgsql's exception (a CI run
    /// under load): the probe said "failed unexpectedly" where it says the job storage does not answer.
    /// </summary>
    [Fact]
    public async Task Readiness_says_the_job_storage_does_not_answer_whatever_the_storage_throws()
    {
        await using var app = new WebAppFactory(services: s => s.AddSingleton<Hangfire.JobStorage>(new BrokenJobStorage()));

        var text = await (await app.CreateAnonymousClient().GetAsync("/health/ready")).Content.ReadAsStringAsync();

        var check = JsonDocument.Parse(text).RootElement.GetProperty("checks").GetProperty("hangfire");
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Equal("The job storage does not answer: phases would not start.", check.GetProperty("description").GetString());
        Assert.DoesNotContain(BrokenJobStorage.Said, text);
    }

    /// <summary>A job storage that cannot be used: it says so as Hangfire's PostgreSQL storage does when it could not start.</summary>
    private sealed class BrokenJobStorage : Hangfire.JobStorage
    {
        public const string Said = "Hangfire PostgreSQL storage is not initialized. See inner exception for details.";

        public override Hangfire.Storage.IMonitoringApi GetMonitoringApi() => throw new InvalidOperationException(Said);
        public override Hangfire.Storage.IStorageConnection GetConnection() => throw new InvalidOperationException(Said);
    }

    /// <summary>An <see cref="IAirflowClient"/> whose every call throws what no check expects, with a path in its message.</summary>
    public class ThrowsWithAPath : System.Reflection.DispatchProxy
    {
        public const string Secret = "/home/operator/.aws/credentials";

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException($"Could not read {Secret}.");
    }
}
