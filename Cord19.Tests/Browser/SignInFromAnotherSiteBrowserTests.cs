using Cord19.Tests.Support;
using Cord19.Tests.Support.Airflow;
using Cord19.Tests.Support.OpenId;
using Microsoft.AspNetCore.Http;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>
/// Sign-ins that a navigation from another site begins, in a real browser: the organisation's round trip (the panel, the
/// provider, back), and a link to the printed address followed from another site. The sign-in cookie is SameSite=Strict.
/// </summary>
public sealed class SignInFromAnotherSiteBrowserTests : BrowserTest
{
    private FakeOpenIdProvider _provider = null!;

    protected override async Task ArrangeAsync() => _provider = await FakeOpenIdProvider.StartAsync();

    protected override IReadOnlyDictionary<string, string>? Environment => new Dictionary<string, string>
    {
        ["CORD19_OIDC_AUTHORITY"] = _provider.Authority,
        ["CORD19_OIDC_CLIENT_ID"] = FakeOpenIdProvider.ClientId,
        ["CORD19_OIDC_CLIENT_SECRET"] = FakeOpenIdProvider.ClientSecret,
    };

    /// <summary>
    /// The sign-in cookie is SameSite=Strict, and the way back from the provider is a navigation another site began (its
    /// page posts the code): a browser then sends no Strict cookie on the redirect to the page asked for, which sent the
    /// person back to the sign-in page, signed in but shown as not, however often they tried.
    /// </summary>
    [Fact]
    public async Task Signing_in_with_the_organisation_lands_on_the_page_asked_for_signed_in()
    {
        var page = await Chromium.NewPageAsync();
        await page.GotoAsync($"{App.Url}/signin?returnUrl=%2Fcosts");

        await page.GetByTestId("oidc").ClickAsync();

        await Expect(page).ToHaveURLAsync($"{App.Url}/costs", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("app")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });
    }

    /// <summary>The printed address, shared in a chat or a web mail and followed from there, as another site's link.</summary>
    [Fact]
    public async Task A_link_to_the_printed_address_followed_from_another_site_lands_signed_in()
    {
        await using var chat = await FaultServer.StartAsync(async http =>
        {
            http.Response.ContentType = "text/html";
            await http.Response.WriteAsync($"<!DOCTYPE html><html><body><a id=l href=\"{App.Url}/costs?token={WebAppFactory.AccessToken}\">the panel</a></body></html>");
        }, host: "127.0.0.2");
        var page = await Chromium.NewPageAsync();
        await page.GotoAsync(chat.BaseUrl.ToString());

        await page.Locator("#l").ClickAsync();

        await Expect(page).ToHaveURLAsync($"{App.Url}/costs", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("app")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });
    }

    /// <summary>
    /// The one-line page both ways pass through, kept in view while axe looks at it: its move on is cancelled, as a
    /// person's Escape would (an aborted navigation leaves the page; the two tests above follow the move on itself).
    /// </summary>
    [Fact]
    public async Task The_page_that_moves_on_after_a_sign_in_is_accessible()
    {
        var page = await Chromium.NewPageAsync();
        var movedOn = new TaskCompletionSource();
        await page.RouteAsync($"{App.Url}/costs", async route =>
        {
            await route.AbortAsync("aborted");
            movedOn.TrySetResult();
        });
        await page.GotoAsync($"{App.Url}{Cord19.Web.Security.OpenIdSignIn.ContinuePath}?returnUrl=%2Fcosts");
        await movedOn.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Continue to the panel" })).ToBeVisibleAsync();

        Assert.Empty(await Axe.SeriousViolationsAsync(page));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _provider.DisposeAsync();
    }
}
