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
    private Support.Browser.LentChromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabaseAsync();
        // Each step held for a moment, so that "Running" is on screen long enough to be seen.
        var environment = new Dictionary<string, string> { ["CORD19_POSTGRES"] = _database, ["CORD19_TEST_STEP_DELAY_MS"] = "700" };
        _clicked = await RunningApp.StartAsync(_data.Path, environment);
        _watched = await RunningApp.StartAsync(_data.Path, environment);
        _chromium = await Support.Browser.BorrowAsync();
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
        var cold = await PushTimer.ClickAndWatchAsync(1, clicker, watcher, neighbour);
        var warm = await PushTimer.ClickAndWatchAsync(2, clicker, watcher, neighbour);

        Assert.True(await watcher.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the second instance's page was reloaded");
        await Expect(watcher.Locator("[data-testid=step-log]")).ToContainTextAsync("Reading the shipped CORD-19 sample");
        Figures.Report($"instances: push_across_ms={warm.Across:0} (same instance, another page: {warm.Same:0} ms; first click after start: {cold.Across:0} and {cold.Same:0} ms)");
    }

    private async Task<IPage> OpenAsync(RunningApp app)
    {
        var page = await _chromium.Browser.NewPageAsync();
        await app.OpenAsync(page);
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        return page;
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _clicked.DisposeAsync();
        await _watched.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_database);
        _data.Dispose();
    }
}
