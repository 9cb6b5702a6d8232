using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Cord19.Tests.Support;

/// <summary>Debian's Chromium driven by Playwright (no Playwright browser download: the test command installs chromium).</summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Chromiums a test gave back, with no context left open, for the next test to borrow.</summary>
    private static readonly ConcurrentBag<LentChromium> Idle = [];

    static Browser() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        // Closed, not left to die with the test host: a driver killed first can leave its Chromium running.
        while (Idle.TryTake(out var chromium)) chromium.CloseAsync().GetAwaiter().GetResult();
    };

    /// <summary>
    /// A Chromium for one test alone, launched or one a finished test gave back. Starting Playwright's driver and a
    /// Chromium took about 2 s of CPU each time on the 2-core machine (0.8 s the driver, 1 s the browser, 0.25 s closing
    /// them), paid by each of some 40 browser tests. Lent to one test at a time, as Playwright's own test runners keep a
    /// browser per worker, and given back with every context closed: a test still starts with no page, cookie or
    /// storage of another's, since those live in contexts.
    /// </summary>
    public static async Task<LentChromium> BorrowAsync()
    {
        while (Idle.TryTake(out var kept))
        {
            if (kept.Browser.IsConnected) return kept.LendAgain();
            await kept.CloseAsync();
        }
        var (playwright, browser) = await LaunchAsync();
        return new LentChromium(playwright, browser);
    }

    /// <summary>A Chromium lent to one test: disposing it gives it back, its contexts closed (or closes it, if it is broken).</summary>
    public sealed class LentChromium(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
    {
        private int _givenBack;

        public IBrowser Browser { get; } = browser;

        private IPlaywright Playwright { get; } = playwright;

        /// <summary>The same Chromium, lent anew: each loan is given back once.</summary>
        internal LentChromium LendAgain() => new(Playwright, Browser);

        public async ValueTask DisposeAsync()
        {
            // Given back once: a second dispose must not put it in the bag twice, for two tests to borrow at once.
            if (Interlocked.Exchange(ref _givenBack, 1) == 1) return;
            try
            {
                foreach (var context in Browser.Contexts.ToList()) await context.CloseAsync();
            }
            catch (PlaywrightException)
            {
                await CloseAsync();
                return;
            }
            if (Browser.IsConnected) Idle.Add(this);
            else await CloseAsync();
        }

        internal async Task CloseAsync()
        {
            try
            {
                await Browser.CloseAsync();
            }
            catch (PlaywrightException) { } // already gone: the driver is still disposed below
            Playwright.Dispose();
        }
    }

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: run ./test.sh, which installs Debian's chromium package.");
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = Arguments,
        });
        return (playwright, browser);
    }

    /// <summary>
    /// Chromium 156 builds two pages of its own for every new window: the address bar's suggestion popup and its AI-mode
    /// popup, both WebUI (chrome://omnibox-popup.top-chrome). A headless window never shows them, and each browser
    /// context a test opens is a new window. In a trace of a page drawing the map's 100,000 points they took 1.6-1.9 s
    /// of a renderer's main thread while the page loaded, on a 2-core machine. A blank page loading the panel's ECharts
    /// bundle drew those points in 0.98-1.31 s with them and in 0.51-0.82 s without. The first two must go together
    /// (either alone changed nothing); the third is the full-popup variant of the first.
    /// </summary>
    internal static readonly string[] BrowserOwnPopups = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup"];

    /// <summary>
    /// What Playwright 1.64 disables itself (its driver's chromiumSwitches). Chromium keeps only the last
    /// --disable-features it is given, so ours must repeat them; a test checks this list against the driver.
    /// </summary>
    internal static readonly string[] PlaywrightDisabledFeatures =
    [
        "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "DialMediaRouteProvider", "GlobalMediaControls",
        "HttpsUpgrades", "LensOverlay", "MediaRouter", "PaintHolding", "ThirdPartyStoragePartitioning",
        "BlockOriginHeaderModificationOnRedirect", "AvoidCorsURLLoaderRestartOnRedirect", "Translate", "AutoDeElevate",
        "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled", "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
    ];

    internal static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-features=" + string.Join(',', PlaywrightDisabledFeatures.Concat(BrowserOwnPopups)),
    ];

    /// <summary>
    /// Holds the page's circuit back: its first request waits until the returned source is completed, so a test can look at
    /// the page as the server drew it and as its scripts made it before the circuit is up.
    /// </summary>
    public static async Task<TaskCompletionSource> HoldCircuitAsync(IPage page)
    {
        var circuitMayStart = new TaskCompletionSource();
        await page.RouteAsync("**/_blazor/negotiate**", async route => { await circuitMayStart.Task; await route.ContinueAsync(); });
        return circuitMayStart;
    }

    /// <summary>Where screenshots go: TestResults/ at the repository root.</summary>
    public static string ScreenshotPath(string name)
    {
        var folder = Path.Combine(RunningApp.RepositoryRoot(), "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
