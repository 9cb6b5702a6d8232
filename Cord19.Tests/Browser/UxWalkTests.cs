using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>
/// A demanding user's walk after a real subset run (phases 1-5): every page on a desktop and on a phone, in the light
/// and the dark theme, checked by axe-core (no serious or critical violation), for sideways scrolling at 390 px, and
/// for the header meter's contrast. Screenshots go to TestResults/screenshots (and to docs/screenshots with
/// CORD19_WRITE_SCREENSHOTS=1, which is how the README's pictures are made).
/// </summary>
public sealed class UxWalkTests : BrowserTest
{
    private static readonly (string Path, string Ready)[] Pages =
    [
        ("/", "[data-testid=phase-5-status]"),
        ("/results", "[data-testid=clusters]"),
        ("/clusters", "[data-testid=cluster-table]"),
        ("/topics", "[data-testid=top-documents]"),
        ("/compare", "[data-testid=need-two-runs], [data-testid=comparison]"),
        ("/costs", "[data-testid=cost-estimate]"),
        ("/airflow", "[data-testid=airflow-problem], [data-testid=airflow-server]"),
        ("/aws", "[data-testid=run-checks]"),
        ("/settings", "[data-testid=save-settings]"),
    ];

    private static readonly string[] DocsScreenshots = ["/", "/clusters", "/topics"];

    /// <summary>Widths between the desktop's 1440 and the phone's 390 at which the layout is checked too (light theme only: the layout is the same in dark).</summary>
    private static readonly int[] NarrowDesktops = [1280, 1024];

    /// <summary>The charts whose layout is checked (the document map sizes its own legend's room).</summary>
    private static readonly Dictionary<string, string[]> Charts = new()
    {
        ["/topics"] = ["intertopic-map", "topic-terms", "topic-timeline"],
        ["/costs"] = ["cost-cumulative", "cost-spot", "cost-past"],
        ["/clusters"] = [Cord19.Web.Model.DocumentMapChart.ChartId],
    };

    /// <summary>Uncaught script errors, and what the Content-Security-Policy refused, on any page the walk opened, with the address.</summary>
    private readonly List<string> _scriptErrors = [];

    [Fact]
    public async Task Every_page_fits_a_phone_passes_axe_in_light_and_dark_and_keeps_the_header_meter_readable()
    {
        await RunSubsetAsync();
        var serious = new List<string>();
        var layout = new List<string>();
        var contrasts = new List<double>();
        var charts = new List<string>();

        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            var desktop = await OpenAsync(scheme, 1440, 900);
            foreach (var (path, ready) in Pages)
            {
                await VisitAsync(desktop, path, ready);
                serious.AddRange((await Axe.SeriousViolationsAsync(desktop)).Select(v => $"{scheme} {path}: {v}"));
                // A desktop's narrow columns break ids too (a resource's deletion date did).
                layout.AddRange((await PageLayout.ProblemsAsync(desktop)).Select(problem => $"{scheme} {path}: {problem} at 1440"));
                if (Charts.TryGetValue(path, out var ids)) charts.AddRange((await ChartLayout.ProblemsAsync(desktop, ids, TimeSpan.FromSeconds(10))).Select(p => $"{scheme} {path}: {p}"));
                if (path == "/") contrasts.Add(await HeaderMeterContrastAsync(desktop));
                if (path == "/") await Expect(desktop.Locator("[data-testid=cost-meter-chip]")).ToContainTextAsync("not billed · would be on AWS $", new() { UseInnerText = true });
                var name = $"{(path == "/" ? "overview" : path.Trim('/'))}-{scheme.ToString().ToLowerInvariant()}.png";
                await desktop.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath(name), FullPage = true });
                if (scheme == ColorScheme.Light && DocsScreenshots.Contains(path)) PublishToDocs(name);
                if (scheme == ColorScheme.Light)
                {
                    // Laptops' and tablets' widths, between the desktop's and the phone's: phase 7's card overflowed at 1280.
                    foreach (var width in NarrowDesktops)
                    {
                        await desktop.SetViewportSizeAsync(width, 800);
                        layout.AddRange((await PageLayout.ProblemsAfterResizeAsync(desktop, TimeSpan.FromSeconds(3))).Select(problem => $"{scheme} {path}: {problem} at {width}"));
                    }
                    await desktop.SetViewportSizeAsync(1440, 900);
                }
            }
            if (scheme == ColorScheme.Light) await WalkTheMenuAsync(desktop);

            var phone = await OpenAsync(scheme, 390, 844);
            foreach (var (path, ready) in Pages)
            {
                await VisitAsync(phone, path, ready);
                if (Charts.TryGetValue(path, out var ids))
                {
                    charts.AddRange((await ChartLayout.ProblemsAsync(phone, ids, TimeSpan.FromSeconds(10))).Select(p => $"{scheme} phone {path}: {p}"));
                    // The map's point cards have a test of their own (ChartBrowserTests): they are fetched as the pointer moves.
                    var tipped = ids.Where(id => id != Cord19.Web.Model.DocumentMapChart.ChartId).ToList();
                    charts.AddRange((await ChartLayout.TooltipProblemsAsync(phone, tipped)).Select(p => $"{scheme} phone {path}: {p}"));
                }
                if (path == "/") contrasts.Add(await HeaderMeterContrastAsync(phone));
                if (path == "/") await Expect(phone.Locator("[data-testid=cost-meter-chip]")).ToContainTextAsync("not billed · on AWS $", new() { UseInnerText = true });
                // The app bar clips rather than scrolls: its parts must fit, the cost meter above all.
                var appBarRight = await phone.EvaluateAsync<double>("() => Math.max(...[...document.querySelectorAll('.mud-appbar *')].map(e => e.getBoundingClientRect().right))");
                if (appBarRight > 390) layout.Add($"{scheme} {path}: the app bar's content reaches {appBarRight:0} px at 390");
                layout.AddRange((await PageLayout.ProblemsAsync(phone)).Select(problem => $"{scheme} {path}: {problem} at 390"));
                // For a reviewer's eye: layouts that fit can still crowd or clip (a phone's cost charts did).
                if (scheme == ColorScheme.Light)
                    await phone.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath($"phone-{(path == "/" ? "overview" : path.Trim('/'))}.png"), FullPage = true });
            }
        }

        var (dialogLayout, dialogSerious) = await DeallocationDryRunOnAPhoneAsync();
        layout.AddRange(dialogLayout);
        serious.AddRange(dialogSerious);
        await DeallocateAndExpectTheButtonsDisabledAsync();
        await ExpectAnInvalidSettingToMarkItsFieldAsync();
        var favicon = await App.CreateClient().GetAsync(App.Url + "/favicon.ico");
        Figures.Report($"ux: pages={Pages.Length} axe_serious={serious.Count} layout_problems={layout.Count} chart_layout={charts.Count} contrast_min={contrasts.Min():0.0}");
        Assert.True(charts.Count == 0, "charts whose legend covers the plot, whose labels overlap or are cut, or whose tooltip leaves the screen:\n" + string.Join("\n", charts));
        Assert.True(serious.Count + layout.Count == 0,
            "axe-core's serious or critical violations:\n" + string.Join("\n", serious) + "\nwhat a page scrolls sideways, breaks or shows without its label, on a phone or a desktop:\n" + string.Join("\n", layout));
        Assert.True(contrasts.Min() >= 4.5, $"the header meter's contrast is {contrasts.Min():0.0}:1, below WCAG AA's 4.5:1");
        Assert.True(_scriptErrors.Count == 0, "uncaught script errors and Content-Security-Policy refusals:\n" +
            string.Join("\n", _scriptErrors.CountBy(e => e).Select(e => $"{e.Value}× {e.Key}")));
        Assert.Equal(System.Net.HttpStatusCode.OK, favicon.StatusCode);
    }

    /// <summary>Phases 1-5 clicked in one page; after each, the live log shows every line the run stored, the last ones included.</summary>
    private async Task RunSubsetAsync()
    {
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        await App.OpenAsync(page);
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        using var api = App.CreateClient();
        for (var phase = 1; phase <= 5; phase++)
        {
            await page.Locator($"[data-testid=phase-{phase}-run]").ClickAsync();
            await Expect(page.Locator($"[data-testid=phase-{phase}-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 120_000 });
            var stored = await StoredLogAsync(api, phase);
            await Expect(page.Locator("[data-testid=step-log] > div")).ToHaveCountAsync(stored.Count, new() { Timeout = 5_000 });
            Assert.EndsWith(stored[^1], (await page.Locator("[data-testid=step-log] > div").Last.TextContentAsync())!.Trim());
        }
        await page.CloseAsync();
    }

    /// <summary>
    /// Every page reached from the menu, as people move around the panel: the circuit renders each page itself, and
    /// components start without the prerendered page (the map's chart, for one, before its points). The circuit must
    /// still be up at the end: an uncaught error in a page's script call ends it.
    /// </summary>
    private async Task WalkTheMenuAsync(IPage page)
    {
        var menu = page.Locator(".mud-navmenu");
        foreach (var entry in Cord19.Web.Components.Layout.PanelPages.All)
        {
            await menu.GetByRole(AriaRole.Link, new() { Name = entry.Title, Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/{entry.Path}([?#].*)?$"));
            var ready = Pages.Single(p => p.Path == "/" + entry.Path).Ready;
            await Expect(page.Locator(ready).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await page.WaitForTimeoutAsync(800); // charts draw; a map's points arrive after its chart
        }
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync();
        await Expect(page.Locator("#components-reconnect-modal")).Not.ToBeVisibleAsync();
    }

    /// <summary>The de-allocation dialog on a phone, then cancelled: a local dry run lists long paths.</summary>
    private async Task<(IEnumerable<string> Overflow, IEnumerable<string> Serious)> DeallocationDryRunOnAPhoneAsync()
    {
        var phone = await OpenAsync(ColorScheme.Light, 390, 844);
        await VisitAsync(phone, "/", "[data-testid=phase-7-status]");
        await phone.Locator("[data-testid=teardown]").ClickAsync();
        await Expect(phone.Locator("[data-testid=plan-row]").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await phone.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath("phone-deallocation.png") });
        var overflow = (await PageLayout.ProblemsAsync(phone)).Select(problem => $"the de-allocation dialog: {problem} at 390").ToList();
        var serious = (await Axe.SeriousViolationsAsync(phone)).Select(v => $"the de-allocation dialog: {v}").ToList();
        await phone.Locator("[data-testid=dialog-cancel]").ClickAsync();
        await phone.CloseAsync();
        return (overflow, serious);
    }

    /// <summary>Locally the dry run shows in the same dialog as on AWS, with no word to type; afterwards nothing offers to run phase 7 again.</summary>
    private async Task DeallocateAndExpectTheButtonsDisabledAsync()
    {
        var page = await OpenAsync(ColorScheme.Light, 1440, 900);
        await VisitAsync(page, "/", "[data-testid=phase-7-status]");
        await page.Locator("[data-testid=teardown]").ClickAsync();
        await Expect(page.Locator("[data-testid=plan-row]").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath("deallocation.png") });
        Assert.Equal(0, await page.Locator("[data-testid=confirm-word]").CountAsync());
        await page.Locator("[data-testid=dialog-confirm]").ClickAsync();
        await Expect(page.Locator("[data-testid=phase-7-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=teardown]")).ToBeDisabledAsync();
        await Expect(page.Locator("[data-testid=phase-7-run]")).ToBeDisabledAsync();
    }

    /// <summary>
    /// From the sticky Save at the bottom, an invalid value marks its field and brings it into view with the cursor in it;
    /// leaving it unsaved is asked about, by the panel and by the browser.
    /// </summary>
    private async Task ExpectAnInvalidSettingToMarkItsFieldAsync()
    {
        var page = await OpenAsync(ColorScheme.Light, 1440, 900);
        await VisitAsync(page, "/settings", "[data-testid=save-settings]");
        await page.Locator("input[data-testid=clusters]").FillAsync("1");
        await page.EvaluateAsync("() => window.scrollTo(0, document.body.scrollHeight)");
        await page.Locator("[data-testid=save-settings]").ClickAsync();
        var field = page.Locator(".mud-input-control", new() { Has = page.Locator("input[data-testid=clusters]") }).Last;
        await Expect(field.Locator(".mud-input-error").First).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(field).ToContainTextAsync("use a whole number from 2 to 100");
        await Expect(page.Locator("input[data-testid=clusters]")).ToBeFocusedAsync();
        await Expect(page.Locator("input[data-testid=clusters]")).ToBeInViewportAsync();

        // Typed and not saved: another page of the panel asks first, and so does the browser before it reloads.
        await page.Locator(".mud-navmenu").GetByRole(AriaRole.Link, new() { Name = "Overview", Exact = true }).ClickAsync();
        await Expect(page.GetByText("Leave without saving?")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Stay", Exact = true }).ClickAsync();
        await Expect(page.GetByText("Leave without saving?")).Not.ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/settings$"));
        var asked = new TaskCompletionSource<string>();
        page.Dialog += (_, dialog) => { asked.TrySetResult(dialog.Type); _ = dialog.DismissAsync(); };
        await page.EvaluateAsync("() => location.reload()");
        Assert.Equal("beforeunload", await asked.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await Expect(page.Locator("input[data-testid=clusters]")).ToHaveValueAsync("1");
    }

    private async Task<IReadOnlyList<string>> StoredLogAsync(HttpClient api, int phase)
    {
        var phases = await api.GetFromJsonAsync<JsonElement>(App.Url + "/api/phases");
        var runId = phases.EnumerateArray().Single(p => p.GetProperty("number").GetInt32() == phase).GetProperty("runId").GetString();
        var log = await api.GetFromJsonAsync<JsonElement>($"{App.Url}/api/runs/{runId}/log");
        return log.EnumerateArray().Select(l => l.GetProperty("message").GetString()!).ToList();
    }

    private async Task<IPage> OpenAsync(ColorScheme scheme, int width, int height)
    {
        var context = await Chromium.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, ColorScheme = scheme });
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => { lock (_scriptErrors) _scriptErrors.Add($"{page.Url}: {error.Split('\n')[0]}"); };
        // What the panel's Content-Security-Policy refused (Chromium reports it on the console): something the page needed.
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                lock (_scriptErrors) _scriptErrors.Add($"{page.Url}: {message.Text.Split('\n')[0]}");
        };
        await App.OpenAsync(page); // signs in (the cookie is per context)
        return page;
    }

    private async Task VisitAsync(IPage page, string path, string ready)
    {
        await page.GotoAsync(App.Url + path);
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator(ready).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.WaitForTimeoutAsync(800); // charts animate in
    }

    private static async Task<double> HeaderMeterContrastAsync(IPage page)
    {
        var colours = await page.Locator("[data-testid=cost-meter-chip]").EvaluateAsync<string[]>(
            "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]");
        return WcagContrast.Ratio(colours[0], colours[1]);
    }

    private static void PublishToDocs(string name)
    {
        if (System.Environment.GetEnvironmentVariable("CORD19_WRITE_SCREENSHOTS") != "1") return;
        var docs = Path.Combine(RunningApp.RepositoryRoot(), "docs", "screenshots");
        Directory.CreateDirectory(docs);
        File.Copy(Support.Browser.ScreenshotPath(name), Path.Combine(docs, name.Replace("-light", "")), overwrite: true);
    }
}
