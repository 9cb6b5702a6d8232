using System.Net;
using Cord19.Tests.Support;
using Cord19.Tests.Support.OpenId;

namespace Cord19.Tests.Api;

/// <summary>
/// OpenID Connect by configuration, against <see cref="FakeOpenIdProvider"/>: the challenge sends the browser to the
/// provider with PKCE, and the round trip ends on a page that moves on to this site only. SignInFromAnotherSiteBrowserTests
/// runs the whole round trip in a browser.
/// </summary>
[Collection(InProcessHostCollection.Name)]
public sealed class OpenIdSignInTests : IAsyncLifetime
{
    private FakeOpenIdProvider _provider = null!;
    private WebAppFactory _app = null!;
    private string _authority = null!;

    public async Task InitializeAsync()
    {
        _provider = await FakeOpenIdProvider.StartAsync();
        _authority = _provider.Authority;
        _app = new WebAppFactory(settings: new Dictionary<string, string>
        {
            ["CORD19_OIDC_AUTHORITY"] = _authority,
            ["CORD19_OIDC_CLIENT_ID"] = FakeOpenIdProvider.ClientId,
            ["CORD19_OIDC_CLIENT_SECRET"] = "planted-oidc-client-secret",
        });
    }

    [Fact]
    public async Task The_sign_in_page_offers_the_provider_and_the_challenge_goes_there_with_pkce()
    {
        using var browser = _app.CreateAnonymousClient();

        var page = await browser.GetStringAsync("/signin");
        var challenge = await browser.GetAsync("/signin/oidc?returnUrl=%2Fcosts");

        Assert.Contains("data-testid=\"oidc\"", page);
        Assert.DoesNotContain("planted-oidc-client-secret", page);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var location = challenge.Headers.Location!.ToString();
        Assert.StartsWith($"{_authority}/authorize?", location);
        Assert.Contains("client_id=cord19-panel", location);
        Assert.Contains("code_challenge=", location);
        Assert.Contains("response_type=code", location);
        Assert.DoesNotContain("planted-oidc-client-secret", location);
        Assert.Contains("redirect_uri=http%3A%2F%2Flocalhost%2Fsignin%2Foidc-callback", location);
    }

    /// <summary>
    /// A sign-in cancelled or refused at the provider, or a return without its state (a bookmarked or replayed callback),
    /// was an unhandled exception, and the person, sent from the error page to the sign-in page, was told nothing: the
    /// sign-in page now says so, without the provider's words.
    /// </summary>
    [Fact]
    public async Task A_round_trip_that_did_not_finish_ends_on_the_sign_in_page_saying_so()
    {
        using var browser = _app.CreateAnonymousClient();
        var back = await browser.PostAsync("/signin/oidc-callback", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["error"] = "access_denied",
            ["error_description"] = "planted provider words",
        }));

        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        var page = await browser.GetStringAsync(back.Headers.Location!.ToString());
        Assert.Contains("Your organisation's sign-in did not finish", page);
        Assert.DoesNotContain("planted provider words", page);
        Assert.DoesNotContain("That is not the access token", page);
    }

    /// <summary>The page the round trip ends on moves on to this site only (OpenIdBrowserTests has the whole trip).</summary>
    [Theory]
    [InlineData("%2Fcosts%3Frun%3Dr1", "url=/costs?run=r1")]
    [InlineData("%2F%2Fevil.example%2F", "url=/\"")]
    [InlineData("https%3A%2F%2Fevil.example%2F", "url=/\"")]
    public async Task The_round_trip_ends_on_a_page_that_moves_on_to_this_site_only(string returnUrl, string refresh)
    {
        using var browser = _app.CreateAnonymousClient();
        Assert.Contains(refresh, await browser.GetStringAsync($"/signin/oidc-continue?returnUrl={returnUrl}"));
    }

    /// <summary>
    /// Behind the TLS-terminating proxy the README recommends, the provider was told to come back to an http address (the
    /// scheme the app sees on loopback), which a provider registered with the https one refuses.
    /// </summary>
    [Fact]
    public async Task Behind_a_tls_proxy_the_provider_is_told_to_come_back_over_https()
    {
        using var browser = _app.CreateAnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/signin/oidc?returnUrl=%2Fcosts") { Headers = { { "X-Forwarded-Proto", "https" } } };

        var challenge = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        Assert.Contains("redirect_uri=https%3A%2F%2Flocalhost%2Fsignin%2Foidc-callback", challenge.Headers.Location!.ToString());
        // The cookies set on the way (the correlation and nonce cookies) are Secure, as the sign-in cookie will be.
        Assert.All(challenge.Headers.GetValues("Set-Cookie"), c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _provider.DisposeAsync();
    }
}
