using System.Diagnostics;
using Cord19.Core.Deployments;
using Cord19.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>
/// A page opened while PostgreSQL is gone says so within seconds, in place, with the fix: its circuit's reads give up
/// after a person's patience, not after a phase's minute of retries.
/// </summary>
public sealed class StateDatabaseOutageBrowserTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private string _database = null!;
    private SeverableTcpRelay _relay = null!;
    private RunningApp _app = null!;
    private Support.Browser.LentChromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabaseAsync();
        _relay = SeverableTcpRelay.ToPostgres(_database, out var throughRelay);
        _app = await RunningApp.StartAsync(_data.Path, new Dictionary<string, string> { ["CORD19_POSTGRES"] = throughRelay });
        _chromium = await Support.Browser.BorrowAsync();
    }

    [Fact]
    public async Task A_page_opened_while_PostgreSQL_is_gone_says_so_within_seconds()
    {
        var page = await _chromium.Browser.NewPageAsync();
        await _app.OpenAsync(page, "/settings");
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        _relay.Sever();
        var cut = Stopwatch.StartNew();
        // Within the circuit: the Overview reads the phases from the state database.
        await page.GetByRole(AriaRole.Link, new() { Name = "Overview", Exact = true }).ClickAsync();
        var error = page.Locator("[data-testid=page-error]");
        await Expect(error).ToContainTextAsync(StateDatabaseFailure.OutOfReach,
            new() { Timeout = (float)(StateDatabasePatience.OfPerson + TimeSpan.FromSeconds(5)).TotalMilliseconds });
        var toldAfter = cut.Elapsed;

        _relay.Mend();
        await page.Locator("[data-testid=page-error-retry]").ClickAsync();
        await Expect(page.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Not started", new() { Timeout = 30_000 });
        Figures.Report($"outage: a page said the state database was out of reach {toldAfter.TotalSeconds:0.0} s after it went");
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _app.DisposeAsync();
        await _relay.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_database);
        _data.Dispose();
    }
}
