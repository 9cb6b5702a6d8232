using Cord19.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>
/// The theme a reader sees from the first paint. The page is drawn on the server before the circuit can ask the browser
/// which theme it wants; a dark reader's page was white until the circuit started (a second or more on a busy panel),
/// on every load, and the map drawn before the circuit was drawn light and then again dark.
/// </summary>
public sealed class ThemeBrowserTests : BrowserTest
{
    private const string RunId = SyntheticRun.SmallRunId;

    protected override Task ArrangeAsync() => PublishAsync(SyntheticRun.Small());

    [Fact]
    public async Task The_page_and_the_map_drawn_before_the_circuit_is_up_are_already_in_the_readers_theme()
    {
        var wrong = new List<string>();
        foreach (var (system, chosen, dark) in new (ColorScheme, string?, bool)[]
                 {
                     (ColorScheme.Dark, null, true), (ColorScheme.Light, null, false),
                     (ColorScheme.Light, "dark", true), (ColorScheme.Dark, "light", false),
                 })
        {
            var context = await Chromium.NewContextAsync(new() { ColorScheme = system, ViewportSize = new() { Width = 1400, Height = 950 } });
            if (chosen is not null) await context.AddInitScriptAsync($"localStorage.setItem('cord19-theme', '{chosen}')");
            var page = await context.NewPageAsync();
            var circuitMayStart = await Support.Browser.HoldCircuitAsync(page);
            await App.OpenAsync(page, $"/clusters?run={RunId}");
            await page.WaitForFunctionAsync("() => window.cord19ChartsDrawnAt && window.cord19ChartsDrawnAt['document-map'] > 0", null, new() { Timeout = 15_000 });

            var reader = $"a {system.ToString().ToLowerInvariant()} system{(chosen is null ? "" : $" with '{chosen}' chosen")}";
            var expected = dark ? "dark" : "light";
            var before = await SeenAsync(page);
            if (before.Page != expected) wrong.Add($"{reader}: the page was {before.Page} before the circuit was up");
            if (before.Map != expected) wrong.Add($"{reader}: the map was drawn {before.Map} before the circuit was up");

            // Every frame's theme from here on, until the circuit has given the charts the theme it found (MainLayout).
            await page.EvaluateAsync($$"""
                () => {
                    window.themesSeen = new Set();
                    const look = () => { window.themesSeen.add(({{Shown}})()); requestAnimationFrame(look); };
                    look();
                    window.themeSet = 0;
                    const set = cord19Charts.setDark;
                    cord19Charts.setDark = d => { set(d); window.themeSet++; };
                }
                """);
            circuitMayStart.SetResult();
            await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await page.WaitForFunctionAsync("() => window.themeSet > 0", null, new() { Timeout = 15_000 });
            try
            {
                await page.WaitForFunctionAsync($"() => ({Shown})() === '{expected}'", null, new() { Timeout = 5_000 });
            }
            catch (TimeoutException)
            {
                wrong.Add($"{reader}: the page was not {expected} once the circuit was up");
            }
            var seen = await page.EvaluateAsync<string[]>("() => [...window.themesSeen]");
            if (seen.Any(theme => theme != expected)) wrong.Add($"{reader}: the page showed {string.Join(" then ", seen)} while the circuit started");
            await Expect(page.Locator("[data-testid=theme-switch]")).ToHaveAttributeAsync("aria-label",
                new System.Text.RegularExpressions.Regex(chosen is null ? "^Theme: follows the system" : $"^Theme: {chosen}"));
            await context.CloseAsync();
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task A_choice_made_with_the_switch_shows_at_once_and_from_the_first_paint_of_the_next_page()
    {
        // A dark system: the early palette applies, and must give way when the reader chooses light.
        var context = await Chromium.NewContextAsync(new() { ColorScheme = ColorScheme.Dark });
        var page = await context.NewPageAsync();
        await App.OpenAsync(page, "/settings");
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var themeSwitch = page.Locator("[data-testid=theme-switch]");
        foreach (var (label, shown) in new[] { ("Theme: light", "light"), ("Theme: dark", "dark"), ("Theme: follows the system", "dark") })
        {
            await themeSwitch.ClickAsync();
            await Expect(themeSwitch).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^" + label));
            try
            {
                await page.WaitForFunctionAsync($"() => ({Shown})() === '{shown}'", null, new() { Timeout = 5_000 });
            }
            catch (TimeoutException)
            {
                Assert.Fail($"Chosen '{label}' on a dark system, the page stayed {await page.EvaluateAsync<string>(Shown)}.");
            }
        }
        await themeSwitch.ClickAsync();
        await Expect(themeSwitch).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^Theme: light"));

        // The next page, before its circuit is up, shows the choice.
        var next = await context.NewPageAsync();
        var circuitMayStart = await Support.Browser.HoldCircuitAsync(next);
        await next.GotoAsync(App.Url + "/settings");
        Assert.Equal("light", await next.EvaluateAsync<string>(Shown));
        circuitMayStart.SetResult();
        await context.CloseAsync();
    }

    /// <summary>Whether the page's background (MudBlazor's palette) is dark or light.</summary>
    private const string Shown = """
        () => {
            const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
            return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128 ? 'dark' : 'light';
        }
        """;

    /// <summary>Whether the page is dark or light, and the theme the map was drawn in before the circuit took it over.</summary>
    private static async Task<(string Page, string? Map)> SeenAsync(IPage page)
    {
        var seen = await page.EvaluateAsync<string?[]>($"() => [({Shown})(), cord19Charts.early['document-map']?.theme?.replace('cord19-', '') ?? null]");
        return (seen[0]!, seen[1]);
    }
}
