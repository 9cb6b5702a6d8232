using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Airflow;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Fuzz;

/// <summary>
/// Bad values for every route the app maps, read from its endpoint data source: a route added later is fuzzed without a
/// word here, which the hand-written lists of <see cref="ApiFuzzTests"/> and <see cref="SecurityRunTests"/> could not do
/// (the Price List and Cost Explorer routes of an earlier session were in neither). Each parameter of a route's path, of
/// its query (the handler's simple parameters, a page's [SupplyParameterFromQuery] properties) and its body gets bad
/// values; the answer may refuse, never with a 500, and never shows a stack trace or the access token.
/// </summary>
[Collection(InProcessHostCollection.Name)]
public sealed class MappedRouteFuzzTests : IAsyncLifetime
{
    /// <summary>The bad-input run's values and a few more, none valid: a fuzzed request must not start real work.</summary>
    private static readonly string[] Values =
        [.. ApiFuzzTests.Junk, "99999999999999999999", "..%2F..%2Fetc%2Fpasswd", "00000000-0000-0000-0000-000000000000", "<script>alert(1)</script>"];

    private static readonly string[] Bodies =
        ["", "{", "null", "[]", "\"text\"", "{}", "{\"clusters\": null}", "{\"dagId\": 5, \"conf\": []}", "{\"isPaused\": \"maybe\"}", "{\"priceBookJson\": \"{ nope\"}",
         "{\"target\": \"aws\", \"awsRegion\": \"mars-1\"}", new string('[', 5_000) + new string(']', 5_000),
         "{\"clusters\": 6, \"clusters\": 9}", "{\"conf\": {\"scope\": \"full\", \"scope\": \"subset\"}}"];

    private static readonly string[] ContentTypes =
        ["application/json", "application/json; charset=bogus", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"];

    private readonly Random _random = new(17);
    private FaultServer _airflow = null!;
    private WebAppFactory _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        // An Airflow that answers JSON of the wrong shape: its routes then reach the panel's reading of Airflow's answers.
        _airflow = await FaultServer.AirflowAsync("v1", async http =>
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("{\"dags\": [null], \"dag_runs\": 7}");
        });
        _app = BadRequestAnswer.AppWithAirflow(_airflow);
        _http = _app.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        await _airflow.DisposeAsync();
    }

    [Fact]
    public async Task Every_mapped_route_refuses_bad_values_in_its_path_query_and_body_without_a_500()
    {
        var routes = MappedRoutes(_app.Services.GetRequiredService<EndpointDataSource>());
        // That the routes are read at all: a few of each kind the app maps, the newest ones among them.
        Assert.Contains(routes, r => r.Pattern.RawText == "/api/costs/deployments/{id:guid}/aws-bill" && r.Method == "POST");
        Assert.Contains(routes, r => r.Pattern.RawText == "/api/settings/price-book/read" && r.Method == "POST");
        Assert.Contains(routes, r => r.Pattern.RawText == "/clusters" && r.Query.Contains("run") && r.Query.Contains("limit"));
        Assert.Contains(routes, r => r.Pattern.RawText == "/api/airflow/dags/{dagId}/runs" && r.Query.Contains("limit"));

        var failures = new List<string>();
        var requests = 0;
        foreach (var route in routes)
            for (var i = 0; i < 6; i++)
            {
                var request = Request(route, ContentTypes[i % ContentTypes.Length]);
                requests++;
                using var response = await _http.SendAsync(request);
                failures.AddRange(BadRequestAnswer.Breaches($"{request.Method} {request.RequestUri} ({route.Pattern.RawText}){(request.Content is { } body ? $" as {body.Headers.ContentType}" : "")}",
                    (int)response.StatusCode, await response.Content.ReadAsStringAsync()));
            }

        Figures.Report($"mapped-route fuzz: {routes.Count} routes and methods, {requests} requests, failures {failures.Count}");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct().Take(30)));
    }

    /// <summary>A request with bad values, its body (if its method has one) declared as <paramref name="contentType"/>: each route gets every content type.</summary>
    private HttpRequestMessage Request(MappedRoute route, string contentType)
    {
        string Pick(string[] from) => from[_random.Next(from.Length)];
        // Escaped, as a client would send them: an unescaped %00 is refused by the server before the app (Kestrel's 400).
        string Value() => Uri.EscapeDataString(Pick(Values));
        var path = new StringBuilder();
        foreach (var segment in route.Pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    // A value of the constraint's type half the time, so that the handler is reached, not only the router's 404.
                    RoutePatternParameterPart parameter when _random.Next(2) == 0 && ValueOfItsType(parameter) is { } typed => typed,
                    RoutePatternParameterPart => Value() is { Length: > 0 } value ? value : "x",
                    _ => "",
                });
        }
        var query = string.Join('&', route.Query.Where(_ => _random.Next(3) > 0).Select(name => $"{name}={Value()}"));
        var request = new HttpRequestMessage(new HttpMethod(route.Method), path + (query.Length > 0 ? "?" + query : ""));
        if (route.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent(Pick(Bodies), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        return request;
    }

    private string? ValueOfItsType(RoutePatternParameterPart parameter) =>
        parameter.ParameterPolicies.Select(p => p.Content).FirstOrDefault() switch
        {
            "guid" => new Guid([.. Enumerable.Range(0, 16).Select(_ => (byte)_random.Next(256))]).ToString(), // from the seed, as every value: a failure is run again as it was
            "int" => _random.Next(2) == 0 ? "-1" : "2147483647",
            _ => null,
        };

    private sealed record MappedRoute(RoutePattern Pattern, string Method, IReadOnlyList<string> Query);

    /// <summary>Each route and method, with the names its query is read by (Blazor's own endpoints and static files left out).</summary>
    private static List<MappedRoute> MappedRoutes(EndpointDataSource source) =>
    [
        .. source.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.StartsWith("/_", StringComparison.Ordinal) && !raw.Contains('.', StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"])
                .Select(method => new MappedRoute(e.RoutePattern, method, QueryNames(e))))
            .DistinctBy(r => (r.Pattern.RawText, r.Method)),
    ];

    private static List<string> QueryNames(RouteEndpoint endpoint)
    {
        var inPath = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is { } page)
            return [.. page.Type.GetProperties().Select(p => p.GetCustomAttribute<SupplyParameterFromQueryAttribute>() is { } a ? a.Name ?? p.Name : null).OfType<string>()];
        if (endpoint.Metadata.GetMetadata<MethodInfo>() is not { } handler) return [];
        return [.. handler.GetParameters()
            .Where(p => p.Name is not null && !inPath.Contains(p.Name) && IsSimple(Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType))
            .Select(p => p.Name!)];
    }

    private static bool IsSimple(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(Guid) || type == typeof(decimal) || type == typeof(DateTime) || type == typeof(DateTimeOffset);
}
