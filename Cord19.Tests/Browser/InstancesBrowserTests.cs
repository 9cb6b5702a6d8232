using Cord19.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>Two panel instances on one PostgreSQL: a click on one shows live on the other's pages (LISTEN/NOTIFY).</summary>
public sealed class InstancesBrowserTests : IAsyncLifetime
{
    // One data directory for both, as instances of the local target must share it: either job server may pick up a
    // phase, and phase 2 reads the workspace phase 1 made.
    private readonly TempDirectory _data = new();
    private string _database = null!;
    private RunningApp _clicked = null!;
    private RunningApp _watched = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _chromium = null!;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabaseAsync();
        // Each step held for a moment, so that "Running" is on screen long enough to be seen.
        var environment = new Dictionary<string, string> { ["CORD19_POSTGRES"] = _database, ["CORD19_TEST_STEP_DELAY_MS"] = "700" };
        _clicked = await RunningApp.StartAsync(_data.Path, environment);
        _watched = await RunningApp.StartAsync(_data.Path, environment);
        (_playwright, _chromium) = await Support.Browser.LaunchAsync();
    }

    [Fact]
    public async Task A_phase_run_on_one_instance_shows_running_then_succeeded_on_another_without_reload()
    {
        var clicker = await OpenAsync(_clicked);
        var neighbour = await OpenAsync(_clicked); // the same instance, for comparison
        var watcher = await OpenAsync(_watched);
        await Expect(watcher.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Not started");
        await watcher.EvaluateAsync("() => window.__sameDocument = true");

        // The first click after start pays for loading and compiling the request path; the second shows the push itself.
        var cold = await ClickAndWatchAsync(1, clicker, watcher, neighbour);
        var warm = await ClickAndWatchAsync(2, clicker, watcher, neighbour);

        Assert.True(await watcher.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the second instance's page was reloaded");
        await Expect(watcher.Locator("[data-testid=step-log]")).ToContainTextAsync("Reading the shipped CORD-19 sample");
        Figures.Report($"instances: push_across_ms={warm.Across:0} (same instance, another page: {warm.Same:0} ms; first click after start: {cold.Across:0} and {cold.Same:0} ms)");
    }

    /// <summary>Clicks the phase on one instance; the watching pages must show Running, then Succeeded. Returns when each showed Running.</summary>
    private static async Task<(double Across, double Same)> ClickAndWatchAsync(int phase, IPage clicker, IPage watcher, IPage neighbour)
    {
        // The pages run in this browser on this machine, so Date.now() is one clock for the click and for the change.
        foreach (var page in new[] { watcher, neighbour })
            await page.EvaluateAsync("""
                phase => {
                  window.__runningAt = null;
                  const observer = new MutationObserver(() => {
                    const status = document.querySelector(`[data-testid=phase-${phase}-status]`);
                    if (status && status.textContent.trim() === 'Running') { window.__runningAt = Date.now(); observer.disconnect(); }
                  });
                  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
                }
                """, phase);
        await clicker.EvaluateAsync("""
            phase => document.querySelector(`[data-testid=phase-${phase}-run]`)
                .addEventListener('click', () => window.__clickedAt = Date.now(), { capture: true, once: true })
            """, phase);

        await clicker.Locator($"[data-testid=phase-{phase}-run]").ClickAsync();

        await Expect(watcher.Locator($"[data-testid=phase-{phase}-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        var clickedAt = await clicker.EvaluateAsync<double>("() => window.__clickedAt");
        var across = await watcher.EvaluateAsync<double?>("() => window.__runningAt");
        var same = await neighbour.EvaluateAsync<double?>("() => window.__runningAt");
        Assert.True(across is not null, $"the second instance's page never showed phase {phase} Running");
        return (across.Value - clickedAt, (same ?? double.NaN) - clickedAt);
    }

    private async Task<IPage> OpenAsync(RunningApp app)
    {
        var page = await _chromium.NewPageAsync();
        await app.OpenAsync(page);
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        return page;
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        _playwright.Dispose();
        await _clicked.DisposeAsync();
        await _watched.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_database);
        _data.Dispose();
    }
}
