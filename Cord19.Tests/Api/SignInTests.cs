using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cord19.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Api;

[Collection(InProcessHostCollection.Name)]
public sealed partial class SignInTests : ApiTest
{
    [Theory]
    [InlineData("GET", "/api/phases")]
    [InlineData("POST", "/api/phases/1/run")]
    [InlineData("GET", "/api/costs")]
    [InlineData("PUT", "/api/settings")]
    [InlineData("GET", "/api/results/x/map")]
    public async Task The_api_answers_401_without_the_token(string method, string path)
    {
        using var anonymous = App.CreateAnonymousClient();
        var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        using var wrong = App.CreateAnonymousClient();
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-token-at-all-0000");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.SendAsync(new HttpRequestMessage(new HttpMethod(method), path))).StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/costs")]
    [InlineData("/hangfire")]
    public async Task Pages_and_the_job_dashboard_send_people_to_the_sign_in_page(string path)
    {
        using var anonymous = App.CreateAnonymousClient();
        var response = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/signin", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Health_probes_need_no_token_and_report_the_database_and_the_job_server()
    {
        using var anonymous = App.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        var ready = await anonymous.GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("hangfire").GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_token_in_the_address_signs_the_browser_in_and_leaves_the_address()
    {
        using var browser = App.CreateAnonymousClient();

        var wrong = await browser.GetAsync("/costs?token=wrong-token-wrong-token");
        Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
        Assert.StartsWith("http://localhost/signin", wrong.Headers.Location!.ToString());

        var right = await browser.GetAsync($"/costs?x=1&token={WebAppFactory.AccessToken}");
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/costs?x=1", right.Headers.Location!.OriginalString);
        var cookie = right.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cord19.auth="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        // Kept across browser restarts, for two weeks.
        var expires = DateTimeOffset.Parse(Regex.Match(cookie, "expires=([^;]+)", RegexOptions.IgnoreCase).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromDays(13.9), TimeSpan.FromDays(14.1));

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/phases");
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task The_sign_in_form_checks_antiforgery_and_the_token()
    {
        using var browser = App.CreateAnonymousClient();
        var form = await browser.GetAsync("/signin?returnUrl=%2Fsettings");
        var html = await form.Content.ReadAsStringAsync();
        var antiforgeryCookie = form.Headers.GetValues("Set-Cookie").First().Split(';')[0];
        var field = HiddenInput().Matches(html).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();

        async Task<HttpResponseMessage> PostAsync(string token, bool withAntiforgery, string? from = null)
        {
            var values = field.Where(f => withAntiforgery || f.Item1 == "returnUrl").Append(("token", token))
                .Select(f => new KeyValuePair<string, string>(f.Item1, WebUtility.HtmlDecode(f.Item2)));
            var post = new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = new FormUrlEncodedContent(values) };
            post.Headers.Add("Cookie", antiforgeryCookie);
            if (from is not null) post.Headers.Add("X-Forwarded-For", from);
            return await browser.SendAsync(post);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(WebAppFactory.AccessToken, withAntiforgery: false)).StatusCode);
        var wrong = await PostAsync("wrong-token-wrong-token", withAntiforgery: true);
        Assert.Contains("error=1", wrong.Headers.Location!.ToString());
        Assert.Contains("That is not the access token", await browser.GetStringAsync(wrong.Headers.Location));
        Assert.DoesNotContain("That is not the access token", html);
        Assert.DoesNotContain("data-testid=\"oidc\"", html); // no organisation sign-in configured

        // Wrong tokens typed into the form count as guesses too (a client of its own, through a proxy on this machine).
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i <= Cord19.Web.Security.CredentialGuessThrottle.TriesPerWindow; i++)
        {
            using var guess = await PostAsync("a-guess-a-guess-a-guess", withAntiforgery: true, from: "203.0.113.9");
            answers.Add(guess.StatusCode);
        }
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Redirect, Cord19.Web.Security.CredentialGuessThrottle.TriesPerWindow), HttpStatusCode.TooManyRequests], answers);

        // Signed in, this client's cookie makes its later posts need an Origin: the right token comes last.
        var right = await PostAsync(WebAppFactory.AccessToken, withAntiforgery: true);
        Assert.Equal("/settings", right.Headers.Location!.OriginalString);
        Assert.Contains(right.Headers.GetValues("Set-Cookie"), c => c.StartsWith("cord19.auth="));
    }

    [Fact]
    public void No_route_is_open_but_health_sign_in_and_static_files()
    {
        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var open = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => e.RoutePattern.RawText ?? "")
            .Where(p => !p.StartsWith("/health/") && p != "/signin" && p != "/signout" && !IsStaticFile(p))
            .ToList();
        Figures.Report($"unauthenticated routes besides health and sign-in: {open.Count} (of {endpoints.Count} routes)");
        Assert.Empty(open);
    }

    /// <summary>However the address is given, the addresses Kestrel actually bound decide (checked after start).</summary>
    [Theory]
    [InlineData("--urls", "http://0.0.0.0:{port}", "Refusing to start")]
    [InlineData("Kestrel__Endpoints__Http__Url", "http://0.0.0.0:{port}", "Refusing to serve")]
    [InlineData("ASPNETCORE_HTTP_PORTS", "{port}", "Refusing to serve")]
    [InlineData("ASPNETCORE_URLS", "http://+:{port}", "Refusing to start")]
    public async Task Sign_in_cannot_be_switched_off_on_a_network_address(string how, string address, string refusal)
    {
        using var data = new TempDirectory();
        var value = address.Replace("{port}", LoopbackPort.Free().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var environment = new Dictionary<string, string> { ["CORD19_SIGN_IN"] = "off", ["CORD19_DATA_DIR"] = data.Path };
        if (!how.StartsWith("--")) environment[how] = value;
        var (exitCode, output, error) = await RunningApp.RunToExitAsync(environment, how.StartsWith("--") ? [how, value] : []);

        Assert.Equal(1, exitCode);
        Assert.Contains(refusal, error);
        Assert.DoesNotContain("is running", output);
    }

    [Fact]
    public async Task With_sign_in_off_on_loopback_the_panel_serves_once_the_bound_addresses_are_checked()
    {
        using var data = new TempDirectory();
        await using var app = await RunningApp.StartAsync(data.Path, new Dictionary<string, string> { ["CORD19_SIGN_IN"] = "off" });
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{app.Url}/api/phases")).StatusCode);
        Assert.Contains("(sign-in is off)", app.Output);

        // Any site this machine's browser opens could post to the panel: a write naming another origin is refused; one naming
        // none (a script's curl) or the panel's own goes through (to phase 8's "no such phase", which changes nothing).
        foreach (var (origin, status) in new[] { ("http://evil.example", HttpStatusCode.Forbidden), (null, HttpStatusCode.NotFound), (app.Url, HttpStatusCode.NotFound) })
        {
            using var write = new HttpRequestMessage(HttpMethod.Post, $"{app.Url}/api/phases/8/run");
            if (origin is not null) write.Headers.Add("Origin", origin);
            Assert.Equal(status, (await http.SendAsync(write)).StatusCode);
        }

        // A proxy on this machine is loopback too: what it forwards would be anyone's, without a token.
        foreach (var (header, value) in new[] { ("X-Forwarded-For", "203.0.113.7"), ("Forwarded", "for=203.0.113.7;proto=https") })
        {
            using var proxied = new HttpRequestMessage(HttpMethod.Get, $"{app.Url}/api/phases") { Headers = { { header, value } } };
            var refused = await http.SendAsync(proxied);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("Remove CORD19_SIGN_IN=off to serve the panel through a proxy", await refused.Content.ReadAsStringAsync());
        }

        // DNS rebinding: a site points its own name at 127.0.0.1, and its page, now "same-origin" with the panel, reads and
        // writes (its Origin matches the Host the browser sends). Only this machine's names are answered.
        var port = new Uri(app.Url).Port;
        foreach (var (host, read, write) in new[]
                 {
                     ($"rebound.example:{port}", HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
                     ($"192.0.2.10:{port}", HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
                     ($"localhost:{port}", HttpStatusCode.OK, HttpStatusCode.NotFound),
                     ($"[::1]:{port}", HttpStatusCode.OK, HttpStatusCode.NotFound),
                     ($"127.0.0.2:{port}", HttpStatusCode.OK, HttpStatusCode.NotFound),
                 })
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, $"{app.Url}/api/phases") { Headers = { Host = host } };
            var answer = await http.SendAsync(get);
            Assert.Equal(read, answer.StatusCode);
            using var post = new HttpRequestMessage(HttpMethod.Post, $"{app.Url}/api/phases/8/run") { Headers = { Host = host } };
            post.Headers.Add("Origin", $"http://{host}");
            Assert.Equal(write, (await http.SendAsync(post)).StatusCode);
            if (read == HttpStatusCode.Forbidden)
                Assert.Contains("Open the address the panel printed at start", await answer.Content.ReadAsStringAsync());
        }
    }

    private static bool IsStaticFile(string pattern) => Path.HasExtension(pattern.Split('/').Last()) || pattern.StartsWith("_content/") || pattern.StartsWith("_framework/");

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenInput();
}
