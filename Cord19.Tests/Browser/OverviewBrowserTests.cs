using Cord19.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

public sealed class OverviewBrowserTests : BrowserTest
{

    [Fact]
    public async Task Clicking_phase_1_changes_its_status_live_without_a_reload()
    {
        var page = await Chromium.NewPageAsync();
        await App.OpenAsync(page);
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Not started");
        await page.EvaluateAsync("() => window.__sameDocument = true");

        await page.Locator("[data-testid=phase-1-run]").ClickAsync();

        await Expect(page.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=step-log]")).ToContainTextAsync("Workspace ready");
        await Expect(page.Locator("[data-testid=phase-2-run]")).ToBeEnabledAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded");
        // As drawn: a chip lays its content out as flex items, which drop the spaces at their ends ("started2026-12-0509:36").
        await Expect(page.Locator("[data-testid=deployment]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^local · started \d{4}-\d{2}-\d{2} \d{2}:\d{2}$"),
            new() { UseInnerText = true });
        // At 1280 px, a common laptop's width, between the walk's 1440 and its phone.
        Assert.Equal(1280, page.ViewportSize!.Width);
        Assert.Empty(await PageLayout.ProblemsAsync(page));
        await page.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath("overview-after-phase-1.png"), FullPage = true });
    }

    [Fact]
    public async Task Scripts_and_styles_arrive_compressed_and_a_second_visit_takes_them_from_the_cache()
    {
        var context = await Chromium.NewContextAsync();
        var first = await context.NewPageAsync();
        await App.OpenAsync(first);
        await Expect(first.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        const string ownFiles = "performance.getEntriesByType('resource').filter(r => r.name.startsWith(location.origin) && /\\.(js|css)$/.test(new URL(r.name).pathname))";
        var sizes = await first.EvaluateAsync<Dictionary<string, double[]>>(
            $"() => Object.fromEntries({ownFiles}.map(r => [new URL(r.name).pathname, [r.encodedBodySize, r.decodedBodySize]]))");
        Assert.Contains(sizes.Keys, path => path.StartsWith("/lib/echarts/echarts.panel.min."));
        // Packages' files (/_content/…) too, which the SDK leaves uncompressed at their fingerprinted addresses.
        Assert.Contains(sizes.Keys, path => path.StartsWith("/_content/MudBlazor/MudBlazor.min."));
        var uncompressed = sizes.Where(s => s.Value[1] > 2_000 && s.Value[0] > s.Value[1] * 0.6)
            .Select(s => $"{s.Key} ({s.Value[0]:N0} bytes sent for {s.Value[1]:N0})").ToList();
        Assert.True(uncompressed.Count == 0, "Sent without compression: " + string.Join(", ", uncompressed));

        // The files' addresses carry their content's hash, so a second visit need not even ask whether they changed.
        var second = await context.NewPageAsync();
        await App.OpenAsync(second);
        await Expect(second.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var fetched = await second.EvaluateAsync<string[]>($"() => {ownFiles}.filter(r => r.transferSize > 0).map(r => new URL(r.name).pathname)");
        Assert.True(fetched.Length == 0, "Asked the server again on a second visit: " + string.Join(", ", fetched));
    }

    [Fact]
    public async Task A_second_browser_sees_the_change_pushed_by_the_first()
    {
        var watcher = await Chromium.NewPageAsync();
        var clicker = await Chromium.NewPageAsync();
        foreach (var page in new[] { watcher, clicker })
        {
            await App.OpenAsync(page);
            await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        }

        await clicker.Locator("[data-testid=phase-1-run]").ClickAsync();

        await Expect(watcher.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task The_header_cost_meter_updates_about_every_second_in_every_open_page()
    {
        var pages = new List<IPage>();
        for (var i = 0; i < 3; i++)
        {
            var page = await Chromium.NewPageAsync();
            await App.OpenAsync(page, $"/costs");
            await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            pages.Add(page);
        }
        await pages[0].GotoAsync(App.Url);
        await Expect(pages[0].Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await pages[0].Locator("[data-testid=phase-1-run]").ClickAsync();

        foreach (var page in pages)
            await Expect(page.Locator("[data-testid=cost-meter]")).ToContainTextAsync("not billed · would be on AWS $", new() { Timeout = 15_000 });

        // Watch one page's meter for four seconds: how often does a freshly priced snapshot arrive? Recorded in the
        // page as each change lands, by the browser's clock. Sampled from here, as before, a test process short of CPU
        // can see two changes as one: beside three busy loops it counted 4-5 updates with gaps to 2.5 s where the page
        // itself recorded 5 every time (and CI once failed with "2 updates, largest gap 3159 ms"). A meter ticking every
        // 2.5 s still fails this test.
        await pages[1].EvaluateAsync(@"() => {
            const meter = () => document.querySelector('[data-testid=cost-meter]');
            window.meterSeen = [[meter().getAttribute('data-priced-at'), performance.now()]];
            window.meterWatchStart = performance.now();
            new MutationObserver(changes => changes.forEach(c => {
                const at = c.target.getAttribute('data-priced-at');
                if (at && window.meterSeen[window.meterSeen.length - 1][0] !== at) window.meterSeen.push([at, performance.now()]);
            })).observe(document.body, { attributes: true, attributeFilter: ['data-priced-at'], subtree: true });
        }");
        await pages[1].WaitForFunctionAsync("() => performance.now() - window.meterWatchStart >= 4000", null, new() { Timeout = 30_000, PollingInterval = 100 });
        var seen = (await pages[1].EvaluateAsync<double[]>("() => window.meterSeen.filter(s => s[1] - window.meterWatchStart < 4000).map(s => s[1])"))
            .Select(ms => (long)ms).ToList();
        var gaps = seen.Zip(seen.Skip(1), (a, b) => b - a).ToList();
        Figures.Report($"header meter: {seen.Count} updates in 4 s, largest gap {(gaps.Count > 0 ? gaps.Max() : 0)} ms");
        Assert.True(seen.Count >= 3, $"only {seen.Count} meter updates in 4 s");

        // Reloaded, the cumulative chart (three resources: its legend takes two rows here) is drawn with room for its
        // legend from its first frame. It was drawn under the legend for 40-75 ms, then moved down: the screenshot
        // below showed the legend over the axis's name.
        await pages[1].AddInitScriptAsync(ChartLayout.RecordPlotTops("cost-cumulative"));
        await pages[1].ReloadAsync();
        await Expect(pages[1].Locator("[data-testid=costs-title]")).ToContainTextAsync("would have cost", new() { Timeout = 15_000 });
        await pages[1].WaitForFunctionAsync("() => window.plotTops['cost-cumulative'].length > 0", null, new() { Timeout = 15_000 });
        await pages[1].WaitForTimeoutAsync(500);
        var tops = await ChartLayout.PlotTopsAsync(pages[1], "cost-cumulative");
        // The options leave 36 px, room for one row.
        Assert.True(tops.Length == 1 && tops[0] > 36, $"The cumulative chart's plot was drawn at {string.Join(" then ", tops)} px from the top.");
        await pages[1].ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath("costs.png"), FullPage = true });
    }

    [Fact]
    public async Task Two_browsers_clicking_the_same_phase_at_once_start_one_run()
    {
        var pages = new List<IPage>();
        var gates = new List<CircuitGate>();
        for (var i = 0; i < 2; i++)
        {
            var page = await Chromium.NewPageAsync();
            gates.Add(await CircuitGate.AttachAsync(page));
            await App.OpenAsync(page);
            await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            pages.Add(page);
        }

        // Both clicks reach the server together, so the server, not a button the first click's push disabled (in one CI
        // run the second click met one and did nothing), keeps it to one run.
        gates.ForEach(g => g.Close());
        await Task.WhenAll(pages.Select(p => p.Locator("[data-testid=phase-1-run]").ClickAsync()));
        await Task.WhenAll(gates.Select(g => g.EventHeld)).WaitAsync(TimeSpan.FromSeconds(10));
        gates.ForEach(g => g.Open());

        foreach (var page in pages)
            await Expect(page.Locator(".mud-snackbar")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        var messages = await Task.WhenAll(pages.Select(p => p.Locator(".mud-snackbar").First.InnerTextAsync()));
        Assert.Single(messages, m => m.Contains("Phase 1 started."));
        Assert.Single(messages, m => m.Contains("already running") || m.Contains("has just started"));
    }

    [Fact]
    public async Task The_job_dashboard_is_served_on_loopback()
    {
        var page = await Chromium.NewPageAsync();
        var response = await App.OpenAsync(page, $"/hangfire");
        Assert.Equal(200, response!.Status);
        await Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("CORD-19 background jobs"));
    }

    [Fact]
    public async Task The_reconnect_dialog_is_styled_and_shows_one_state_at_a_time()
    {
        var page = await Chromium.NewPageAsync();
        await App.OpenAsync(page, "/");
        await Expect(page.GetByTestId("app")).ToHaveAttributeAsync("data-interactive", "true");
        async Task<string> DisplayAsync(string selector) => await page.Locator(selector).First.EvaluateAsync<string>("e => getComputedStyle(e).display");

        // Connected: every reconnect state hidden (unstyled, "Rejoining…", "Failed to rejoin" and Retry all showed at once).
        Assert.Equal("none", await DisplayAsync("#components-reconnect-button"));
        Assert.Equal("none", await DisplayAsync("p.components-reconnect-first-attempt-visible"));

        // The state Blazor sets when rejoining failed: its text and Retry show, the others stay hidden.
        await page.EvaluateAsync("() => document.getElementById('components-reconnect-modal').classList.add('components-reconnect-failed')");
        Assert.Equal("block", await DisplayAsync("#components-reconnect-button"));
        Assert.Equal("block", await DisplayAsync("p.components-reconnect-failed-visible"));
        Assert.Equal("none", await DisplayAsync("p.components-reconnect-first-attempt-visible"));
    }

    [Fact]
    public async Task The_header_cost_meter_is_readable_and_says_nothing_is_billed_locally()
    {
        var page = await Chromium.NewPageAsync();
        await App.OpenAsync(page, "/");
        await Expect(page.GetByTestId("app")).ToHaveAttributeAsync("data-interactive", "true");
        await page.Locator("[data-testid=phase-1-run]").ClickAsync();
        await Expect(page.Locator("[data-testid=cost-meter]")).ToContainTextAsync("not billed", new() { Timeout = 15_000 });

        var colours = await page.Locator("[data-testid=cost-meter-chip]").EvaluateAsync<string[]>(
            "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]");
        var ratio = WcagContrast.Ratio(colours[0], colours[1]);
        Figures.Report($"header meter contrast: {ratio:0.0}:1 ({colours[0]} on {colours[1]})");
        Assert.True(ratio >= 4.5, $"{colours[0]} on {colours[1]} is {ratio:0.0}:1, below WCAG AA's 4.5:1");
    }
}
