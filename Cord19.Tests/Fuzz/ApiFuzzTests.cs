using System.Net;
using System.Text;
using Cord19.Tests.Support;

namespace Cord19.Tests.Fuzz;

/// <summary>Malformed API requests, generated from a fixed seed: every answer must be a 4xx (or a success), never a 500.</summary>
[Collection(InProcessHostCollection.Name)]
public sealed class ApiFuzzTests : ApiTest
{
    /// <summary>Bad values for a path or a query, none of them a valid phase, run, page number or confirmation word.</summary>
    internal static readonly string[] Junk =
        ["", " ", "0", "-1", "8", "2147483648", "1e309", "NaN", "null", "true", "[]", "{}", "%00", "..%2F..", "%F0%28%8C%28", "😀", new string('9', 400), "'; DROP TABLE PhaseRuns;--"];

    private static readonly string[] Bodies =
    [
        "", "{", "}", "null", "[]", "\"text\"", "{\"clusters\": \"six\"}", "{\"clusters\": 1e400}", "{\"subsetSize\": -5}",
        "{\"expectedPhaseHours\": [1, 2]}", "{\"expectedPhaseHours\": \"soon\"}", "{\"publishedFrom\": \"yesterday\"}",
        "{\"budgetCapUsd\": -1}", "{\"maxLifetimeHours\": 0}", "{\"priceBookJson\": \"{ nope\"}", "{\"target\": \"azure\"}",
        "{\"metadataPath\": \"/etc/shadow\"}", "{\"awsRegion\": \"mars-1\"}", "{\"operatorCidr\": \"0.0.0.0/0\"}", "{\"airflowVersion\": \"latest\"}", "{\"spotMaxPricePerHour\": 1000000}", new string('[', 5_000) + new string(']', 5_000),
    ];

    [Fact]
    public async Task Malformed_requests_never_get_a_500()
    {
        var random = new Random(19);
        var failures = new List<string>();
        var count = 0;
        for (var i = 0; i < 300; i++)
        {
            var request = Next(random);
            var response = await Http.SendAsync(request);
            count++;
            if ((int)response.StatusCode >= 500)
                failures.Add($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Figures.Report($"bad-input run: {count} requests, responses with status 500: {failures.Count}");
        Assert.Empty(failures);
    }

    [Fact]
    public async Task Bad_AWS_settings_are_refused_with_the_field_and_the_fix()
    {
        var response = await Http.PutAsync("/api/settings", new StringContent(
            "{\"target\": \"aws\", \"awsRegion\": \"mars-north-1a\", \"operatorCidr\": \"0.0.0.0/0\"}", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("AWS region 'mars-north-1a' is not a region name: use one such as us-east-2", text);
        Assert.Contains("opens Airflow to 4,294,967,296 addresses", text);
        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsync("/api/settings", new StringContent("{\"target\": \"aws\"}", Encoding.UTF8, "application/json"))).StatusCode);
    }

    [Fact]
    public async Task Settings_errors_name_the_field()
    {
        var response = await Http.PutAsync("/api/settings", new StringContent("{\"clusters\": \"six\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("clusters", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    private static HttpRequestMessage Next(Random random)
    {
        string J() => Uri.EscapeDataString(Junk[random.Next(Junk.Length)]);
        return random.Next(7) switch
        {
            0 => new HttpRequestMessage(HttpMethod.Post, $"/api/phases/{J()}/run?resume={J()}&deleteResults={J()}"),
            1 => new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{J()}/log"),
            2 => new HttpRequestMessage(HttpMethod.Get, $"/api/results/{J()}/map?limit={J()}"),
            3 => new HttpRequestMessage(HttpMethod.Get, $"/api/results/{J()}"),
            4 => new HttpRequestMessage(HttpMethod.Put, "/api/settings")
            {
                Content = new StringContent(Bodies[random.Next(Bodies.Length)], Encoding.UTF8, random.Next(4) == 0 ? "text/plain" : "application/json"),
            },
            5 => new HttpRequestMessage(HttpMethod.Get, $"/api/aws/orphans?region={J()}"),
            _ => new HttpRequestMessage(new[] { HttpMethod.Delete, HttpMethod.Patch, HttpMethod.Post }[random.Next(3)], $"/api/{J()}/{J()}"),
        };
    }
}
