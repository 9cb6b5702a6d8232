using Cord19.Tests.Support;
using Cord19.Tests.Support.OpenId;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>The organisation's sign-in, the whole round trip, in a real browser: the panel, then the provider, then back.</summary>
public sealed class OpenIdBrowserTests : BrowserTest
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

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _provider.DisposeAsync();
    }
}
