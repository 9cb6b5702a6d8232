using System.Globalization;
using Cord19.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>
/// Times in the reader's time zone, wherever the panel runs. A panel in a container runs in UTC, and wrote its times in
/// UTC with nothing to say so: hours off for most of its readers.
/// </summary>
public sealed class TimeZoneBrowserTests : BrowserTest
{
    private static readonly TimeZoneInfo Auckland = TimeZoneInfo.FindSystemTimeZoneById("Pacific/Auckland");

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["TZ"] = "UTC" };

    [Fact]
    public async Task A_reader_in_Auckland_reads_Aucklands_time_from_a_panel_in_UTC_from_the_first_paint_of_the_next_page()
    {
        var context = await Chromium.NewContextAsync(new() { TimezoneId = "Pacific/Auckland" });
        var page = await context.NewPageAsync();

        // A first visit: the server learns the zone once the circuit can ask the browser.
        await App.OpenAsync(page, "/");
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await ExpectAucklandsTimeAsync(page, "once the circuit was up on a first visit", TimeSpan.FromSeconds(5));

        // The next page, as the server drew it (the browser named its zone on the first), then once its circuit is up.
        var circuitMayStart = await Support.Browser.HoldCircuitAsync(page);
        await App.OpenAsync(page, "/costs");
        await ExpectAucklandsTimeAsync(page, "as the server drew the next page", TimeSpan.Zero);
        // Every time the meter shows while the circuit starts: its first render must not write the server's zone.
        await page.EvaluateAsync("""
            () => {
                window.meterSeen = [];
                new MutationObserver(() => {
                    const meter = document.querySelector('[data-testid=cost-meter]');
                    if (meter) window.meterSeen.push([meter.dataset.pricedAt, meter.title]);
                }).observe(document.body, { attributes: true, childList: true, subtree: true });
            }
            """);
        circuitMayStart.SetResult();
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await ExpectAucklandsTimeAsync(page, "once the next page's circuit was up", TimeSpan.Zero);
        var wrong = (await page.EvaluateAsync<string[][]>("() => window.meterSeen"))
            .Select(seen => NotAucklands(seen[0], seen[1])).OfType<string>().Distinct().ToList();
        Assert.True(wrong.Count == 0, $"while the next page's circuit started: {string.Join("; ", wrong)}");
        await context.CloseAsync();
    }

    /// <summary>The header's cost meter says when it was priced: read with the moment it stands for, in one go.</summary>
    private static async Task ExpectAucklandsTimeAsync(IPage page, string when, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var seen = await page.Locator("[data-testid=cost-meter]").EvaluateAsync<string[]>("m => [m.dataset.pricedAt, m.title]");
            if (NotAucklands(seen[0], seen[1]) is not { } wrong) return;
            Assert.True(DateTime.UtcNow < deadline, $"{when}: {wrong}");
            await Task.Delay(100);
        }
    }

    private static string? NotAucklands(string pricedAtIso, string title)
    {
        var pricedAt = DateTime.Parse(pricedAtIso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var expected = $"Priced at {TimeZoneInfo.ConvertTimeFromUtc(pricedAt, Auckland).ToString("HH:mm:ss", CultureInfo.InvariantCulture)}";
        return title == expected ? null : $"the meter said \"{title}\" for {pricedAt:HH:mm:ss} UTC, not \"{expected}\" (Auckland)";
    }
}
