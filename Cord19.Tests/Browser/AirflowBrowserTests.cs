using Cord19.Core.Airflow;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Airflow;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>The Airflow page in a real browser, the real app calling Prism serving Airflow 3's official spec.</summary>
public sealed class AirflowBrowserTests : BrowserTest
{
    private Prism _airflow = null!;

    protected override async Task ArrangeAsync() => _airflow = await Prism.StartAsync(AirflowApiVersion.V2);

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        [AirflowOptions.UrlVariable] = _airflow.BaseUrl.ToString(),
        [AirflowOptions.TokenVariable] = "header.payload.signature",
    };

    [Fact]
    public async Task The_page_lists_triggers_and_follows_a_run_without_the_browser_ever_calling_airflow()
    {
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 950 } });
        var requested = new List<string>();
        page.Request += (_, request) => requested.Add(request.Url);
        await App.OpenAsync(page, "/airflow");
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        await Expect(page.Locator("[data-testid=airflow-server]")).ToContainTextAsync("API v2", new() { Timeout = 15_000 });
        await Expect(page.Locator("[data-testid=dag-row]")).ToHaveCountAsync(1);

        await page.Locator("[data-testid=trigger]").ClickAsync();
        await Expect(page.Locator("[data-testid=trigger-panel] textarea")).ToHaveValueAsync("{}");
        await page.Locator("[data-testid=trigger-panel] textarea").FillAsync("{\"scope\": \"subset\"}");
        await page.Locator("[data-testid=trigger-confirm]").ClickAsync();

        await Expect(page.Locator("[data-testid=task-grid]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.Locator("[data-testid=run-state]")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath("airflow.png") });
        Assert.Empty(await Axe.SeriousViolationsAsync(page));

        Assert.DoesNotContain(requested, url => url.Contains(_airflow.BaseUrl.Authority));
        Assert.DoesNotContain(_airflow.BaseUrl.Authority, await page.ContentAsync());

        // On a phone the DAG table's triggers and the task grid's times and logs were out of sight to the right.
        var phone = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        await App.OpenAsync(phone, "/airflow");
        await Expect(phone.Locator("[data-testid=dag-row]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(phone.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await phone.Locator("[data-testid=select-dag]").ClickAsync();
        await phone.Locator("[data-testid=select-run]").First.ClickAsync(new() { Timeout = 15_000 });
        await Expect(phone.Locator("[data-testid=task-grid]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await phone.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath("phone-airflow-run.png"), FullPage = true });
        Assert.Empty(await PageLayout.ProblemsAsync(phone));
        Assert.Empty(await Axe.SeriousViolationsAsync(phone));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _airflow.DisposeAsync();
    }
}
