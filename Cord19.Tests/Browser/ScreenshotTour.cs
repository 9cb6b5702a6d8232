using Cord19.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>Walks the pages a newcomer sees after running phases 1 to 5, saving a screenshot of each for review.</summary>
public sealed class ScreenshotTour : BrowserTest
{

    [Fact]
    public async Task Every_page_renders_after_a_subset_run()
    {
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        await App.OpenAsync(page);
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        for (var phase = 1; phase <= 5; phase++)
        {
            await page.Locator($"[data-testid=phase-{phase}-run]").ClickAsync();
            await Expect(page.Locator($"[data-testid=phase-{phase}-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 120_000 });
        }
        await Expect(page.Locator("[data-testid=step-log]")).ToContainTextAsync("Published run");
        await page.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath("tour-overview.png"), FullPage = true });

        foreach (var (path, ready) in new[] { ("/results", "[data-testid=clusters]"), ("/clusters", "[data-testid=cluster-table]"), ("/topics", "[data-testid=top-documents]"), ("/costs", "[data-testid=cost-estimate]"), ("/settings", "[data-testid=save-settings]") })
        {
            await page.GotoAsync(App.Url + path);
            await Expect(page.Locator(ready)).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await page.WaitForTimeoutAsync(1_500);
            await page.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath($"tour-{path.Trim('/')}.png"), FullPage = true });
        }
    }
}
