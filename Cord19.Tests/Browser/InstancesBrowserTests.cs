using Cord19.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>Two panel instances on one PostgreSQL: a click on one shows live on the other's pages (LISTEN/NOTIFY).</summary>
public sealed class InstancesBrowserTests : IAsyncLifetime
{
    private readonly TempDirectory _first = new();
    private readonly TempDirectory _second = new();
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
        _clicked = await RunningApp.StartAsync(_first.Path, environment);
        _watched = await RunningApp.StartAsync(_second.Path, environment);
        (_playwright, _chromium) = await Support.Browser.LaunchAsync();
    }

    [Fact]
    public async Task A_phase_run_on_one_instance_shows_running_then_succeeded_on_another_without_reload()
    {
        var clicker = await OpenAsync(_clicked);
        var neighbour = await OpenAsync(_clicked); // the same instance, for comparison
        var watcher = await OpenAsync(_watched);
        await Expect(watcher.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Not started");
        // The pages run in this browser on this machine, so Date.now() is one clock for the click and for the change.
        foreach (var page in new[] { watcher, neighbour })
            await page.EvaluateAsync("""
                () => {
                  window.__sameDocument = true;
                  new MutationObserver(() => {
                    const status = document.querySelector('[data-testid=phase-1-status]');
                    if (!window.__runningAt && status && status.textContent.trim() === 'Running') window.__runningAt = Date.now();
                  }).observe(document.body, { subtree: true, childList: true, characterData: true });
                }
                """);
        await clicker.EvaluateAsync("""
            () => document.querySelector('[data-testid=phase-1-run]')
                .addEventListener('click', () => window.__clickedAt = Date.now(), { capture: true, once: true })
            """);

        await clicker.Locator("[data-testid=phase-1-run]").ClickAsync();

        await Expect(watcher.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        var runningAt = await watcher.EvaluateAsync<double?>("() => window.__runningAt ?? null");
        Assert.True(runningAt is not null, "the second instance's page never showed Running");
        var clickedAt = await clicker.EvaluateAsync<double>("() => window.__clickedAt");
        var pushAcross = runningAt.Value - clickedAt;
        var pushSame = await neighbour.EvaluateAsync<double?>("() => window.__runningAt ?? null") - clickedAt;
        Assert.True(await watcher.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the second instance's page was reloaded");
        await Expect(watcher.Locator("[data-testid=step-log]")).ToContainTextAsync("Workspace ready");
        Figures.Report($"instances: push_across_ms={pushAcross:0} (same instance, another page: {pushSame:0} ms)");
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
        _first.Dispose();
        _second.Dispose();
    }
}
