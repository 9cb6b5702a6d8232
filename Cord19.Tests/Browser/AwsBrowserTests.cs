using Cord19.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>
/// The AWS page in a real browser against the real app process, with every AWS endpoint pointed at a port where
/// nothing listens: the checklist must say so plainly, name the call, and not break the page.
/// </summary>
public sealed class AwsBrowserTests : BrowserTest
{
    private readonly int _deadPort = LoopbackPort.Free();

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["AWS_ENDPOINT_URL"] = $"http://127.0.0.1:{_deadPort}",
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["CORD19_TARGET"] = "aws",
    };

    [Fact]
    public async Task The_checklist_reports_an_unreachable_AWS_with_the_call_and_skips_the_rest()
    {
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await App.OpenAsync(page, "/aws");
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=checks-empty]")).ToBeVisibleAsync();

        await page.Locator("[data-testid=run-checks]").ClickAsync();

        var rows = page.Locator("[data-testid=check-row]");
        await Expect(rows).ToHaveCountAsync(3, new() { Timeout = 60_000 });
        await Expect(rows.First).ToHaveAttributeAsync("data-outcome", "Failed");
        await Expect(rows.First).ToContainTextAsync("sts:GetCallerIdentity");
        await Expect(rows.Nth(1)).ToContainTextAsync("need working credentials");
        // PyPI needs no credentials; here it is a port nothing listens on (RunningApp), which the line says, in amber.
        await Expect(rows.Nth(2)).ToHaveAttributeAsync("data-outcome", "Warning");
        await Expect(rows.Nth(2)).ToContainTextAsync("Could not ask PyPI");
        await Expect(rows.Nth(2).Locator("td").Last).ToContainTextAsync("CORD19_PYPI_URL");
        await Expect(page.Locator("[data-testid=aws-message]")).ToContainTextAsync("failed");
        // The call's failure under Found, what to do under Fix.
        await Expect(rows.First.Locator("td").Last).ToContainTextAsync("Check this machine's network");
        await page.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath("aws-checklist.png") });
        Assert.Empty(await Axe.SeriousViolationsAsync(page));

        var phone = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        await App.OpenAsync(phone, "/aws");
        await Expect(phone.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await phone.Locator("[data-testid=run-checks]").ClickAsync();
        await Expect(phone.Locator("[data-testid=check-row]")).ToHaveCountAsync(3, new() { Timeout = 60_000 });
        await phone.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath("phone-aws-checklist.png"), FullPage = true });
        Assert.Empty(await PageLayout.ProblemsAsync(phone));
        Assert.Empty(await Axe.SeriousViolationsAsync(phone));
    }

    [Fact]
    public async Task CORD19_TARGET_picks_the_AWS_target_and_Settings_say_so()
    {
        using var http = App.CreateClient();
        var settings = await http.GetStringAsync($"{App.Url.TrimEnd('/')}/api/settings");

        Assert.Contains("\"target\":\"aws\"", settings);

        var page = await Chromium.NewPageAsync();
        await App.OpenAsync(page, "/settings");
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByText("Fixed to 'aws' by CORD19_TARGET")).ToBeVisibleAsync();
    }
}
