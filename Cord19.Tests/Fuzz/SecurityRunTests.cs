using System.Net;
using System.Text;
using Cord19.Core.Results;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Airflow;
using Microsoft.AspNetCore.Http;

namespace Cord19.Tests.Fuzz;

/// <summary>
/// The attacker's run of issue #14, bounded and on loopback only: over a thousand bad requests across every endpoint
/// (null-valued and wrong-typed JSON, odd content types and charsets, broken multipart, Hangfire paths, result files
/// with null where objects or lists belong, and an Airflow that answers valid JSON of the wrong shape), plus forged
/// cross-site writes, a stale cookie, open redirects and token guessing. Prints one line with every count.
/// </summary>
[Collection(InProcessHostCollection.Name)]
public sealed class SecurityRunTests : IAsyncLifetime
{
    private static readonly string[] AirflowShapes =
    [
        "[]", "[1, 2]", "123", "\"text\"", "null", "{}", "{\"dags\": 5}", "{\"dags\": [1, 2, 3]}", "{\"dags\": [null]}", "{\"dag_runs\": \"x\"}",
        "{\"dag_runs\": [7]}", "{\"task_instances\": [null, 3]}", "{\"task_instances\": {}}", "{\"metadatabase\": []}", "{\"scheduler\": 5}",
        "{\"dag_run_id\": [], \"state\": {}}", "{\"content\": 5}", "{\"content\": [[1]]}", "{\"total_entries\": \"many\"}",
    ];

    private static readonly string[] NullBodies =
    [
        "{\"clusters\": null}", "{\"expectedPhaseHours\": null}", "{\"expectedPhaseHours\": [null]}", "{\"expectedPhaseHours\": [\"x\"]}", "{\"awsRegion\": null}",
        "{\"target\": 5}", "{\"budgetCapUsd\": \"cheap\"}", "{\"publishedFrom\": 20200101}", "{\"seed\": 1.5}", "{\"instanceType\": []}",
        "{\"priceBookJson\": \"{\\\"prices\\\": [null]}\"}", "{\"priceBookJson\": \"{\\\"prices\\\": [{\\\"key\\\": \\\"ec2.spot.t3.xlarge\\\", \\\"usd\\\": null}]}\"}",
        "{\"priceBookJson\": \"null\"}", "{\"priceBookJson\": \"[]\"}", "{\"operatorCidr\": {}}", "{\"awsMetadataSource\": \"ftp\"}", "{}", "[]", "null", "",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=bogus", "application/json; charset=utf-16", "text/plain", "application/xml",
        "multipart/form-data", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json; charset=\"", "*/*",
    ];

    private static readonly string[] RunIds = ["nulls-clusters", "nulls-topics", "nulls-documents", "nulls-terms", "nulls-topic-documents", "nulls-manifest", "no-such-run", "..%2F..", "%20x", "😀"];

    private readonly TempDirectory _files = new();
    private FaultServer _airflow = null!;
    private WebAppFactory _app = null!;
    private HttpClient _http = null!;
    private readonly Random _random = new(14);
    private readonly Random _airflowShapes = new(3);

    public async Task InitializeAsync()
    {
        _airflow = await FaultServer.AirflowAsync("v1", async http =>
        {
            http.Response.ContentType = "application/json";
            string shape;
            lock (_airflowShapes) shape = AirflowShapes[_airflowShapes.Next(AirflowShapes.Length)];
            await http.Response.WriteAsync(shape);
        });
        _app = BadRequestAnswer.AppWithAirflow(_airflow);
        await SeedBrokenRunsAsync(Path.Combine(_app.DataDirectory, "results"));
        _http = _app.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        await _airflow.DisposeAsync();
        _files.Dispose();
    }

    /// <summary>Valid JSON with null where an object or a list belongs, one file per run.</summary>
    private static async Task SeedBrokenRunsAsync(string results)
    {
        var store = new ResultStore(new LocalFolderObjectStore(results));
        foreach (var (runId, file) in new[] { ("nulls-clusters", "clusters.json"), ("nulls-topics", "topics.json"), ("nulls-documents", "documents.jsonl"), ("nulls-terms", "topic-terms.json"),
                     ("nulls-topic-documents", "topic-documents.json"), ("nulls-manifest", "manifest.json") })
        {
            await store.PublishRunAsync(SyntheticRun.Create(runId, 30), default);
            var path = Path.Combine(results, "runs", runId, file);
            await File.WriteAllTextAsync(path, file.EndsWith(".jsonl", StringComparison.Ordinal) ? "null\n{\"x\": null}\n[]\n" : file == "manifest.json" ? "{\"schemaVersion\": 1, \"runId\": \"nulls-manifest\", \"parameters\": null, \"timings\": null}" : "null");
        }
    }

    [Fact]
    public async Task Every_attack_fails_and_no_bad_request_gets_a_500()
    {
        var failures = new List<string>();
        var requests = 0;
        async Task SendAsync(HttpRequestMessage request, HttpClient? client = null)
        {
            requests++;
            using var response = await (client ?? _http).SendAsync(request);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            failures.AddRange(BadRequestAnswer.Breaches($"{request.Method} {request.RequestUri}", status, body));
            // /health/ready must stay up (degraded at worst) whatever Airflow says.
            if (request.RequestUri!.OriginalString == "/health/ready" && status != 200)
                failures.Add($"{request.Method} {request.RequestUri}: {status} {body[..Math.Min(body.Length, 300)]}");
        }

        string Pick(string[] from) => from[_random.Next(from.Length)];
        for (var i = 0; i < 1_000; i++)
        {
            var run = Pick(RunIds);
            var request = (i % 12) switch
            {
                0 or 1 => new HttpRequestMessage(_random.Next(2) == 0 ? HttpMethod.Put : HttpMethod.Patch, "/api/settings")
                {
                    Content = new StringContent(Pick(NullBodies), Encoding.UTF8),
                },
                2 => new HttpRequestMessage(HttpMethod.Get, Pick(["/api/airflow", "/api/airflow/dags", "/api/airflow/dags/cord19_processing/runs",
                    "/api/airflow/dags/cord19_processing/runs/manual__1", "/api/airflow/dags/cord19_processing/runs/manual__1/tasks",
                    "/api/airflow/dags/cord19_processing/runs/manual__1/tasks/process/logs/1", "/health/ready", "/api/airflow/dags/x/runs?limit=-3"])),
                3 => new HttpRequestMessage(HttpMethod.Post, Pick(["/api/airflow/dags/cord19_processing/runs", "/api/airflow/dags/cord19_processing/runs/manual__1/clear-failed"]))
                {
                    Content = new StringContent(Pick(NullBodies), Encoding.UTF8, "application/json"),
                },
                4 => new HttpRequestMessage(HttpMethod.Get, Pick([$"/api/results/{run}", $"/api/results/{run}/map", $"/api/results/{run}/map?limit={Pick(["abc", "-1", "0", "99999999999"])}", "/api/results"])),
                5 => new HttpRequestMessage(HttpMethod.Get, Pick([$"/clusters?run={run}", $"/topics?run={run}", $"/results?run={run}", $"/compare?left={run}&right={Pick(RunIds)}", "/clusters?limit=abc", "/costs", "/settings", "/airflow"])),
                6 => new HttpRequestMessage(HttpMethod.Get, Pick(["/hangfire/jobs/details/abc", "/hangfire/jobs/details/-1", "/hangfire/jobs/details/99999999999999999999", "/hangfire/jobs/details/1",
                    "/hangfire/jobs/succeeded?from=abc&count=-1", "/hangfire/servers", "/hangfire/recurring", "/hangfire/stats", "/hangfire/jobs/enqueued/fetched/%20"])),
                7 => new HttpRequestMessage(HttpMethod.Post, Pick(["/hangfire/jobs/succeeded/requeue", "/hangfire/jobs/failed/delete", "/hangfire/stats"]))
                {
                    Content = new StringContent(Pick(["jobs[]=abc", "jobs[]=", "", "jobs[]=99999999999999999999"]), Encoding.UTF8, "application/x-www-form-urlencoded"),
                },
                8 => SignIn(),
                9 => new HttpRequestMessage(new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch }[_random.Next(4)],
                    Pick(["/api/phases/1/run?resume=maybe", "/api/phases/8/run", "/api/phases/x/run", "/api/aws/orphans/delete?confirm=%00", "/api/aws/roles", "/api/runs/x/log", "/api/costs", "/api/deployment"]))
                {
                    Content = new StringContent(Pick(NullBodies), Encoding.UTF8, "application/json"),
                },
                10 => new HttpRequestMessage(HttpMethod.Get, Pick(["/api/costs", "/api/costs/estimate", "/api/phases", "/api/deployment", "/api/runs/00000000-0000-0000-0000-000000000000/log", "/api/aws/orphans?region=%00", "/api/aws/status"])),
                _ => new HttpRequestMessage(HttpMethod.Put, "/api/settings") { Content = Typed(Pick(ContentTypes)) },
            };
            if (request.Content is { Headers.ContentType: null } content && i % 12 is 0 or 1) content.Headers.TryAddWithoutValidation("Content-Type", Pick(ContentTypes));
            await SendAsync(request);
        }

        // Forged writes with the browser's cookie, a stale cookie, redirects off the site, guessing the token.
        using var browser = _app.CreateAnonymousClient();
        var signedIn = await browser.GetAsync($"/?token={WebAppFactory.AccessToken}");
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cord19.auth=")).Split(';')[0];
        var csrfAccepted = 0;
        foreach (var origin in new[] { "http://localhost:8081", "http://127.0.0.1:9001", "null", "https://evil.example", "" })
            foreach (var path in new[] { "/api/phases/7/run?deleteResults=true", "/api/settings", "/hangfire/jobs/succeeded/requeue", "/api/aws/roles" })
            {
                var forged = new HttpRequestMessage(path == "/api/settings" ? HttpMethod.Put : HttpMethod.Post, path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
                forged.Headers.Add("Cookie", cookie);
                if (origin.Length > 0) forged.Headers.Add("Origin", origin);
                requests++;
                if ((await browser.SendAsync(forged)).StatusCode != HttpStatusCode.Forbidden) csrfAccepted++;
            }

        requests++;
        var staleAccepted = (int)await _app.StatusAfterTokenChangeAsync(cookie) is >= 200 and < 300 ? 1 : 0;

        var openRedirects = 0;
        foreach (var path in new[] { "/signin?returnUrl=/%09/evil.example", "/signin?returnUrl=//evil.example", "/signin?returnUrl=/%5Cevil.example", "/signin?returnUrl=https://evil.example" })
        {
            requests++;
            var html = await (await browser.GetAsync(path)).Content.ReadAsStringAsync();
            if (!html.Contains("name=\"returnUrl\" value=\"/\"", StringComparison.Ordinal)) openRedirects++;
        }
        foreach (var path in new[] { "//evil.example/", "/%5Cevil.example/", "/%09/evil.example/" })
        {
            requests++;
            var answer = await browser.GetAsync($"{path}?token={WebAppFactory.AccessToken}");
            var location = answer.Headers.Location?.OriginalString ?? "/";
            if (location.StartsWith("//", StringComparison.Ordinal) || location.Contains('\\') || location.Contains("evil.example/", StringComparison.Ordinal) && !location.StartsWith("/%", StringComparison.Ordinal)) openRedirects++;
        }

        using var guesser = _app.CreateAnonymousClient();
        var throttledAfter = -1;
        for (var i = 0; i < 10 && throttledAfter < 0; i++)
        {
            requests++;
            var guess = new HttpRequestMessage(HttpMethod.Get, "/api/phases");
            guess.Headers.Authorization = new("Bearer", $"guess-{i}-0000000000000000");
            if ((await guesser.SendAsync(guess)).StatusCode == HttpStatusCode.TooManyRequests) throttledAfter = i;
        }

        Figures.Report($"security: csrf_accepted={csrfAccepted} stale_cookie_accepted={staleAccepted} open_redirects={openRedirects} status_500={failures.Count} of {requests} requests signin_throttled_after={throttledAfter}");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct().Take(30)));
        Assert.Equal((0, 0, 0), (csrfAccepted, staleAccepted, openRedirects));
        Assert.Equal(Cord19.Web.Security.CredentialGuessThrottle.TriesPerWindow, throttledAfter);
    }

    private HttpRequestMessage SignIn()
    {
        var bodies = new Func<HttpContent>[]
        {
            () => Typed("multipart/form-data"),
            () => Typed("multipart/form-data; boundary=abc", "--abc\r\nbroken"),
            () => new StringContent(string.Join("&", Enumerable.Range(0, 5_000).Select(i => $"f{i}=1")), Encoding.UTF8, "application/x-www-form-urlencoded"),
            () => new StringContent("token=%FF%FE", Encoding.UTF8, "application/x-www-form-urlencoded"),
            () => Typed("application/json", "{\"token\": null}"),
        };
        return new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = bodies[_random.Next(bodies.Length)]() };
    }

    private static StringContent Typed(string contentType, string body = "{\"clusters\": 7}")
    {
        var content = new StringContent(body);
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }
}
