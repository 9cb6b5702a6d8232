using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Cord19.Tests.Api;

/// <summary>
/// The attacks of issue #14 that must fail, through the whole app in memory: forged cross-site writes, stale cookies,
/// token guessing, internals in error answers, open redirects.
/// </summary>
[Collection(InProcessHostCollection.Name)]
public sealed class SecurityTests : ApiTest
{
    /// <summary>A browser's cookie for this app, as the printed address gives it.</summary>
    private async Task<string> SignInCookieAsync(HttpClient browser)
    {
        var signedIn = await browser.GetAsync($"/?token={WebAppFactory.AccessToken}");
        return signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cord19.auth=")).Split(';')[0];
    }

    private static HttpRequestMessage Post(string path, string cookie, string? origin = null, string? referer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("Cookie", cookie);
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (referer is not null) request.Headers.Add("Referer", referer);
        return request;
    }

    [Fact]
    public async Task A_cookie_authenticated_write_must_come_from_the_panels_own_origin()
    {
        using var browser = App.CreateAnonymousClient();
        var cookie = await SignInCookieAsync(browser);

        // A form on another port of the same host (Airflow's :8081), one with no Origin or Referer, one from "null".
        var fromAirflowsPort = await browser.SendAsync(Post("/api/phases/1/run", cookie, origin: "http://localhost:8081"));
        var fromNowhere = await browser.SendAsync(Post("/api/phases/1/run", cookie));
        var fromSandbox = await browser.SendAsync(Post("/api/phases/1/run", cookie, origin: "null"));
        var fromOtherReferer = await browser.SendAsync(Post("/api/phases/1/run", cookie, referer: "http://127.0.0.1:9001/console"));

        Assert.All(new[] { fromAirflowsPort, fromNowhere, fromSandbox, fromOtherReferer }, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Equal("application/problem+json", fromAirflowsPort.Content.Headers.ContentType?.MediaType);
        Assert.Contains("did not come from the panel's own pages", await fromAirflowsPort.Content.ReadAsStringAsync());
        var phases = await Http.GetFromJsonAsync<JsonElement>("/api/phases");
        Assert.Equal("NotStarted", phases[0].GetProperty("status").GetString()); // nothing ran

        // The panel's own pages, and scripts with the bearer token whatever their Origin, go through.
        Assert.Equal(HttpStatusCode.Accepted, (await browser.SendAsync(Post("/api/phases/1/run", cookie, origin: "http://localhost"))).StatusCode);
        var script = new HttpRequestMessage(HttpMethod.Post, "/api/phases/1/run?resume=false");
        script.Headers.Add("Origin", "http://localhost:8081");
        Assert.NotEqual(HttpStatusCode.Forbidden, (await Http.SendAsync(script)).StatusCode);
    }

    /// <summary>
    /// Behind the TLS-terminating proxy the README recommends, the browser's Origin says https and its default port while
    /// the app, on loopback, sees http and a Host without a port. Every write of a signed-in browser (Blazor's connection
    /// too) was refused there: the Origin's port was taken as 443 and the app's own as 80.
    /// </summary>
    [Fact]
    public async Task Behind_a_tls_proxy_the_panels_own_writes_go_through_and_another_ports_are_still_refused()
    {
        using var browser = App.CreateAnonymousClient();
        var cookie = await SignInCookieAsync(browser);

        var fromItsPages = await browser.SendAsync(Post("/api/phases/1/run", cookie, origin: "https://localhost"));
        var fromItsPagesByReferer = await browser.SendAsync(Post("/api/phases/2/run", cookie, referer: "https://localhost/settings"));
        var fromAnotherPort = await browser.SendAsync(Post("/api/phases/1/run", cookie, origin: "https://localhost:8443"));
        var fromAnotherHost = await browser.SendAsync(Post("/api/phases/1/run", cookie, origin: "https://evil.example"));

        Assert.NotEqual(HttpStatusCode.Forbidden, fromItsPages.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, fromItsPagesByReferer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromAnotherPort.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromAnotherHost.StatusCode);
    }

    [Theory]
    [InlineData("/", HttpStatusCode.OK)]                          // a page
    [InlineData("/api/phases", HttpStatusCode.OK)]                // the API
    [InlineData("/api/runs/not-a-run/log", HttpStatusCode.NotFound)] // an error, as problem details
    [InlineData("/no-such-page", HttpStatusCode.NotFound)]        // the not-found page
    [InlineData("/hangfire", HttpStatusCode.OK)]                  // the job dashboard
    public async Task Every_answer_forbids_framing_content_sniffing_and_referrers_to_other_sites(string path, HttpStatusCode status)
    {
        using var browser = App.CreateAnonymousClient();
        await SignInCookieAsync(browser); // the client keeps the cookie, as a browser does

        var answer = await browser.GetAsync(path);

        Assert.Equal(status, answer.StatusCode); // the answer named, as a signed-in browser gets it, not the way to sign in

        Assert.EndsWith("frame-ancestors 'none'", answer.Headers.GetValues("Content-Security-Policy").Single());
        if (!path.StartsWith("/hangfire", StringComparison.Ordinal))
        {
            // Scripts from the panel alone, and none of them may evaluate text: a script slipped into data has no way to run.
            var policy = answer.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Matches("script-src 'self'[ ;]", policy);
            Assert.DoesNotContain("unsafe-eval", policy);
        }
        Assert.Equal("DENY", answer.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", answer.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task A_page_runs_no_inline_script_but_the_import_map_it_renders()
    {
        using var browser = App.CreateAnonymousClient();
        await SignInCookieAsync(browser); // the client keeps the cookie, as a browser does

        var page = await browser.GetAsync("/");

        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        var importMap = System.Text.RegularExpressions.Regex.Match(await page.Content.ReadAsStringAsync(), "<script type=\"importmap\">(.*?)</script>",
            System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(importMap.Success, "the page has no import map");
        Assert.Contains($"script-src 'self' '{Cord19.Web.Security.SecurityHeaders.ImportMapSource(importMap.Groups[1].Value)}';", policy);
        Assert.DoesNotContain("'unsafe-inline'", policy.Split(';').Single(d => d.Trim().StartsWith("script-src", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_cookie_for_another_token_is_refused_and_signing_out_ends_the_session()
    {
        using var browser = App.CreateAnonymousClient();
        var cookie = await SignInCookieAsync(browser);
        var read = new HttpRequestMessage(HttpMethod.Get, "/api/phases");
        read.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(read)).StatusCode);

        // The same keys with another token: yesterday's cookie must not work. With the same token it still does, so
        // the refusal is the token's doing, not keys the restart lost.
        Assert.Equal(HttpStatusCode.OK, await App.StatusAfterRestartAsync(cookie, WebAppFactory.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await App.StatusAfterTokenChangeAsync(cookie));

        var signedOut = await browser.SendAsync(Post("/signout", cookie, origin: "http://localhost"));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Contains(signedOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith("cord19.auth=;") && c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_data_protection_keys_are_readable_by_the_panels_user_only()
    {
        if (OperatingSystem.IsWindows()) return; // file modes are a Unix notion; Windows keeps the keys in the user's profile ACLs
        await Http.GetAsync("/api/phases");
        var keys = Path.Combine(App.DataDirectory, "keys");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
    }

    /// <summary>
    /// A load balancer on another machine cannot reach a panel on loopback: its forwarded headers are believed only from the
    /// networks CORD19_TRUSTED_PROXIES names, never from any address (which would let a client claim https, or any address).
    /// </summary>
    [Theory]
    [InlineData(null, "10.1.2.3", false)]          // not named: not believed
    [InlineData("10.0.0.0/16", "10.0.2.3", true)]
    [InlineData("10.0.0.0/16", "192.0.2.1", false)] // another machine than the one named
    public async Task A_proxy_on_another_machine_is_believed_only_when_named(string? trusted, string proxy, bool believed)
    {
        await using var app = new WebAppFactory(settings: trusted is null ? null : new Dictionary<string, string> { ["CORD19_TRUSTED_PROXIES"] = trusted });

        Assert.Equal(believed, await ForwardedSignIn.IsCookieSecureAsync(app, proxy));
    }

    /// <summary>A keys folder an earlier release (or a hand) left readable by others is narrowed at start: the keys can forge sign-in cookies.</summary>
    [Fact]
    public async Task A_keys_folder_readable_by_others_is_narrowed_at_start()
    {
        if (OperatingSystem.IsWindows()) return;
        await using var app = new WebAppFactory();
        var keys = Path.Combine(app.DataDirectory, "keys");
        Directory.CreateDirectory(keys);
        File.SetUnixFileMode(keys, (UnixFileMode)0b111_101_101); // 755

        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/phases")).StatusCode);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
    }

    [Fact]
    public async Task Guessing_the_token_is_throttled_after_a_few_tries_with_Retry_After()
    {
        using var guesser = App.CreateAnonymousClient();
        guesser.DefaultRequestHeaders.Authorization = new("Bearer", "a-guess-a-guess-a-guess");
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++) answers.Add((await guesser.GetAsync("/api/phases")).StatusCode);

        var firstThrottled = answers.IndexOf(HttpStatusCode.TooManyRequests);
        Assert.Equal(Cord19.Web.Security.CredentialGuessThrottle.TriesPerWindow, firstThrottled);
        Assert.All(answers.Take(firstThrottled), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        var throttled = await guesser.GetAsync("/costs?token=another-guess-0000");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(int.Parse(throttled.Headers.GetValues("Retry-After").Single()) is > 0 and <= 60);
        Figures.Report($"security: token guesses throttled after {firstThrottled} wrong tries a minute per client");
        // The right token is not counted and still works for others.
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/api/phases")).StatusCode);
    }

    /// <summary>
    /// Behind a proxy on this machine every request came from loopback: all clients shared one throttle (one person's typos
    /// held back everyone's), and the sign-in cookie of a browser on https was not marked Secure.
    /// </summary>
    [Fact]
    public async Task Behind_a_proxy_each_client_has_its_own_throttle_and_an_https_browser_a_secure_cookie()
    {
        using var guesser = App.CreateAnonymousClient();
        guesser.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.1");
        guesser.DefaultRequestHeaders.Authorization = new("Bearer", "a-guess-a-guess-a-guess");
        using var other = App.CreateAnonymousClient();
        other.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.2");
        other.DefaultRequestHeaders.Authorization = new("Bearer", "a-typo-a-typo-a-typo");

        for (var i = 0; i < Cord19.Web.Security.CredentialGuessThrottle.TriesPerWindow; i++) await guesser.GetAsync("/api/phases");
        var throttled = await guesser.GetAsync("/api/phases");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        // This client's window began with its first guess, moments ago: most of the minute is left to wait.
        Assert.InRange(int.Parse(throttled.Headers.GetValues("Retry-After").Single()), 45, 60);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/phases")).StatusCode);

        using var browser = App.CreateAnonymousClient();
        using var signIn = new HttpRequestMessage(HttpMethod.Get, $"/?token={WebAppFactory.AccessToken}") { Headers = { { "X-Forwarded-Proto", "https" } } };
        var cookie = (await browser.SendAsync(signIn)).Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cord19.auth="));
        Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A page on another site that points its own name at 127.0.0.1 (DNS rebinding) guesses from this machine's own
    /// address: counted with the person's guesses, it held their sign-in throttled while it stayed open.
    /// </summary>
    [Fact]
    public async Task Guesses_from_this_machine_naming_another_host_do_not_throttle_the_person_on_this_machine()
    {
        await using var app = new WebAppFactory();
        // Kestrel listening on IPv6 reports an IPv4 client mapped: the rebound page's guesses come so, the person's not.
        Task<HttpContext> GuessAsync(string host, string token, IPAddress? from = null) => app.Server.SendAsync(http =>
        {
            http.Request.Method = "GET";
            http.Request.Path = "/api/phases";
            http.Request.Host = new HostString(host);
            http.Request.Headers.Authorization = $"Bearer {token}";
            http.Connection.RemoteIpAddress = from ?? IPAddress.Loopback;
        });

        var rebound = new List<int>();
        foreach (var name in new[] { "rebound.example", "another.rebound.example" })
            for (var i = 0; i < Cord19.Web.Security.CredentialGuessThrottle.TriesPerWindow; i++)
                rebound.Add((await GuessAsync($"{name}:5252", "a-guess-a-guess-a-guess", IPAddress.Loopback.MapToIPv6())).Response.StatusCode);

        // One count for every other name: the second name was throttled at once.
        Assert.Equal([.. Enumerable.Repeat(401, Cord19.Web.Security.CredentialGuessThrottle.TriesPerWindow),
            .. Enumerable.Repeat(429, Cord19.Web.Security.CredentialGuessThrottle.TriesPerWindow)], rebound);
        Assert.Equal(401, (await GuessAsync("localhost:5252", "a-typo-a-typo-a-typo")).Response.StatusCode);
        Assert.Equal(200, (await GuessAsync("127.0.0.1:5252", WebAppFactory.AccessToken)).Response.StatusCode);
    }

    [Theory]
    [InlineData("/signin?returnUrl=/%09/evil.example")]
    [InlineData("/signin?returnUrl=/%5Cevil.example")]
    [InlineData("/signin?returnUrl=//evil.example")]
    [InlineData("/signin?returnUrl=https://evil.example/")]
    [InlineData("/signin?returnUrl=/caf%C3%A9%0D%0ASet-Cookie:%20x=1")]
    [InlineData("/signin?returnUrl=/costs%7F")]
    public async Task The_sign_in_page_sends_people_back_to_this_site_only(string path)
    {
        using var browser = App.CreateAnonymousClient();
        var html = await (await browser.GetAsync(path)).Content.ReadAsStringAsync();
        Assert.Contains("name=\"returnUrl\" value=\"/\"", html);
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("/%5Cevil.example/")]
    public async Task The_token_in_the_address_never_redirects_off_site(string path)
    {
        using var browser = App.CreateAnonymousClient();
        var answer = await browser.GetAsync($"{path}?token={WebAppFactory.AccessToken}&x=%0D%0Ay");
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var location = answer.Headers.Location!.OriginalString;
        Assert.StartsWith("/", location);
        Assert.False(location.StartsWith("//") || location.Contains('\\'), location);
    }

    [Fact]
    public async Task API_errors_are_problem_details_with_a_trace_id_and_no_internals()
    {
        // A request the API cannot take (a body that is not JSON at all) and a route that does not exist.
        var broken = await Http.PutAsync("/api/settings", new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.True((int)broken.StatusCode is >= 400 and < 500, $"{broken.StatusCode}");
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
        var text = await broken.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotContain(WebAppFactory.AccessToken, text);
        Assert.DoesNotContain("Exception", text);
        Assert.Contains("\"traceId\"", text);
    }

    [Fact]
    public async Task A_settings_update_changes_only_what_it_names_and_names_each_bad_field()
    {
        Assert.True((await Http.PutAsync("/api/settings", Json("{\"subsetSize\": 300}"))).IsSuccessStatusCode);

        var saved = await Http.PutAsync("/api/settings", Json("{\"clusters\": 8}"));
        var settings = await saved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((8, 300), (settings.GetProperty("clusters").GetInt32(), settings.GetProperty("subsetSize").GetInt32()));
        var patched = await Http.PatchAsync("/api/settings", Json("{\"topicsPerCluster\": 4}"));
        Assert.Equal(8, (await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("clusters").GetInt32());

        async Task<string> RefusedAsync(HttpContent body, HttpStatusCode status)
        {
            var answer = await Http.PutAsync("/api/settings", body);
            Assert.Equal(status, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            return await answer.Content.ReadAsStringAsync();
        }
        Assert.Contains("'expectedPhaseHours' cannot be null", await RefusedAsync(Json("{\"expectedPhaseHours\": null}"), HttpStatusCode.BadRequest));
        Assert.Contains("'clusters' must be a whole number", await RefusedAsync(Json("{\"clusters\": \"six\"}"), HttpStatusCode.BadRequest));
        Assert.Contains("'clusterz' is not a setting", await RefusedAsync(Json("{\"clusterz\": 8}"), HttpStatusCode.BadRequest));
        Assert.Contains("not an object", await RefusedAsync(Json("[1, 2]"), HttpStatusCode.BadRequest));
        // A field named twice was a 500: System.Text.Json keeps both, then throws ArgumentException when the object is read.
        Assert.Contains("gives a name twice in one object", await RefusedAsync(Json("{\"clusters\": 6, \"clusters\": 9}"), HttpStatusCode.BadRequest));
        Assert.Contains("gives a name twice in one object", await RefusedAsync(Json("{\"expectedPhaseHours\": {\"a\": 1, \"a\": 2}}"), HttpStatusCode.BadRequest));
        var bogus = new StringContent("{\"clusters\": 7}");
        bogus.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=bogus");
        Assert.Contains("charset 'bogus'", await RefusedAsync(bogus, HttpStatusCode.UnsupportedMediaType));
        // A quoted charset is the same charset (RFC 9110 §5.6.6): UTF-8 in quotes was once refused as 'bogus' is.
        var quoted = new StringContent("{\"clusters\": 8}");
        quoted.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=\"utf-8\"");
        Assert.True((await Http.PutAsync("/api/settings", quoted)).IsSuccessStatusCode);
        // Nothing refused was saved.
        Assert.Equal(8, (await Http.GetFromJsonAsync<JsonElement>("/api/settings")).GetProperty("clusters").GetInt32());
    }

    [Fact]
    public void A_read_only_database_is_reported_as_such_not_as_a_lost_race()
    {
        var readOnly = new Microsoft.EntityFrameworkCore.DbUpdateException("failed", new Microsoft.Data.Sqlite.SqliteException("attempt to write a readonly database", 8));
        var race = new Microsoft.EntityFrameworkCore.DbUpdateException("failed", new Microsoft.Data.Sqlite.SqliteException("UNIQUE constraint failed", 19));

        Assert.False(Cord19.Core.Deployments.StateDatabaseFailure.IsLostRace(readOnly));
        Assert.True(Cord19.Core.Deployments.StateDatabaseFailure.IsLostRace(race));
        Assert.Contains("read-only", Cord19.Core.Deployments.StateDatabaseFailure.Describe(readOnly));
        Assert.Contains("make the data directory", Cord19.Core.Deployments.StateDatabaseFailure.Describe(readOnly));
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_file_that_is_not_metadata_is_named_never_quoted()
    {
        await using var core = await CoreHarness.StartAsync();
        Assert.Empty(await core.Settings.SaveAsync(new Cord19.Core.Settings.PipelineSettings { MetadataPath = "/etc/passwd" }));
        await core.RunAsync(1);

        var state = await core.RunAsync(2);

        var shown = state.LatestRun!.Reason + "\n" + await core.LogTextAsync(state);
        Assert.Equal(Cord19.Core.Phases.PhaseStatus.Failed, state.Status);
        Assert.Contains("'/etc/passwd' is not CORD-19 metadata", shown);
        Assert.DoesNotContain("root:", shown);
        Assert.DoesNotContain("/bin/", shown);
    }

    [Fact]
    public void With_data_roots_only_files_under_them_may_be_named()
    {
        using var allowed = new TempDirectory();
        var roots = new[] { allowed.Path.TrimEnd('/') + "/" };
        var inside = Path.Combine(allowed.Path, "metadata.csv.gz");
        File.WriteAllText(inside, "");
        var link = Path.Combine(allowed.Path, "passwd-link");
        File.CreateSymbolicLink(link, "/etc/passwd");

        Assert.Null(Cord19.Core.Settings.DataRoots.Problem(inside, roots));
        Assert.Contains("outside the folders this panel may read", Cord19.Core.Settings.DataRoots.Problem("/etc/passwd", roots));
        Assert.NotNull(Cord19.Core.Settings.DataRoots.Problem(Path.Combine(allowed.Path, "../../etc/passwd"), roots));
        Assert.NotNull(Cord19.Core.Settings.DataRoots.Problem(link, roots)); // a link inside that points outside
    }

    /// <summary>Links anywhere along a path count, not only the last name's (each assert failed against the old code, checked separately).</summary>
    [Fact]
    public void Data_roots_resolve_folder_links_along_the_path()
    {
        using var temp = new TempDirectory();
        var volume = Directory.CreateDirectory(Path.Combine(temp.Path, "volume")).FullName;
        File.WriteAllText(Path.Combine(volume, "metadata.csv"), "");
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateSymbolicLink(data, volume); // a root that is a link, as /data → /mnt/volume
        Directory.CreateSymbolicLink(Path.Combine(volume, "etc"), "/etc"); // a folder link inside a root

        var roots = Cord19.Core.Settings.DataRoots.Parse(data);

        Assert.Null(Cord19.Core.Settings.DataRoots.Problem(Path.Combine(data, "metadata.csv"), roots));
        Assert.Contains("outside the folders this panel may read", Cord19.Core.Settings.DataRoots.Problem(Path.Combine(data, "etc", "passwd"), roots));
        // ".." after a link is the parent of its target, as the system opens it, not the folder the name was written in.
        Directory.CreateDirectory(Path.Combine(temp.Path, "outside", "inner"));
        File.WriteAllText(Path.Combine(temp.Path, "outside", "secret"), "");
        Directory.CreateSymbolicLink(Path.Combine(volume, "inner"), Path.Combine("..", "outside", "inner")); // relative, as ln -s writes them
        Assert.NotNull(Cord19.Core.Settings.DataRoots.Problem(Path.Combine(data, "inner", "..", "secret"), roots));
        Assert.Null(Cord19.Core.Settings.DataRoots.Problem(Path.Combine(data, "inner", "..", "..", "volume", "metadata.csv"), roots));
    }

    [Fact]
    public async Task An_unexpected_failure_behind_the_API_is_problem_details_without_the_exception_not_an_error_page()
    {
        // A seam that fails as nothing expects (a bug, a broken disk): every result store call throws.
        await using var app = new WebAppFactory(services: s =>
            Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(s, Failing<Cord19.Core.Results.IResultStore>.Create()));
        using var http = app.CreateClient();

        foreach (var request in new[] { new HttpRequestMessage(HttpMethod.Get, "/api/results"), new HttpRequestMessage(HttpMethod.Post, "/api/phases/7/run?deleteResults=true") })
        {
            var answer = await http.SendAsync(request);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.NotEqual(HttpStatusCode.MethodNotAllowed, answer.StatusCode); // never a POST replayed to the error page
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain(Failing<object>.Secret, text);
            Assert.DoesNotContain("   at ", text);
            if ((int)answer.StatusCode >= 500) Assert.Contains("\"traceId\"", text);
        }
    }

    /// <summary>Any interface, every call throwing an exception whose message must never reach a client.</summary>
    public class Failing<T> : System.Reflection.DispatchProxy where T : class
    {
        public const string Secret = "internal-detail-4f1c";

        public static T Create() => Create<T, Failing<T>>();

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException($"{Secret}: {targetMethod?.Name} failed at /srv/secret/path");
    }
}
