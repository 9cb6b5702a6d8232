using Cord19.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

public sealed class OverviewBrowserTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private RunningApp _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _app = await RunningApp.StartAsync(_data.Path);
        (_playwright, _browser) = await Support.Browser.LaunchAsync();
    }

    [Fact]
    public async Task Clicking_phase_1_changes_its_status_live_without_a_reload()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(_app.Url);
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Not started");
        await page.EvaluateAsync("() => window.__sameDocument = true");

        await page.Locator("[data-testid=phase-1-run]").ClickAsync();

        await Expect(page.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=step-log]")).ToContainTextAsync("Workspace ready");
        await Expect(page.Locator("[data-testid=phase-2-run]")).ToBeEnabledAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded");
        await page.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath("overview-after-phase-1.png"), FullPage = true });
    }

    [Fact]
    public async Task A_second_browser_sees_the_change_pushed_by_the_first()
    {
        var watcher = await _browser.NewPageAsync();
        var clicker = await _browser.NewPageAsync();
        foreach (var page in new[] { watcher, clicker })
        {
            await page.GotoAsync(_app.Url);
            await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        }

        await clicker.Locator("[data-testid=phase-1-run]").ClickAsync();

        await Expect(watcher.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task The_job_dashboard_is_served_on_loopback()
    {
        var page = await _browser.NewPageAsync();
        var response = await page.GotoAsync($"{_app.Url}/hangfire");
        Assert.Equal(200, response!.Status);
        await Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("CORD-19 background jobs"));
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _app.DisposeAsync();
        _data.Dispose();
    }
}
