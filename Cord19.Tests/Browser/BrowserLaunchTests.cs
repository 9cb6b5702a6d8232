using System.Text.RegularExpressions;

namespace Cord19.Tests.Browser;

/// <summary>How the tests' Chromium is started (Support/Browser.cs), checked against what Playwright's driver does.</summary>
public sealed partial class BrowserLaunchTests
{
    [Fact]
    public void The_features_Playwright_disables_stay_disabled_beside_the_browser_s_own_popups()
    {
        // Chromium keeps only the last --disable-features, so ours replaces the driver's and must repeat it.
        var driver = Path.Combine(AppContext.BaseDirectory, ".playwright", "package", "lib", "coreBundle.js");
        Assert.True(File.Exists(driver), $"Playwright's driver is not at {driver}: build Cord19.Tests first.");
        var list = DriverDisabledFeatures().Match(File.ReadAllText(driver));
        Assert.True(list.Success, $"{driver} no longer lists its disabled features as 'disabledFeatures = [...]': read how it launches Chromium and update Support/Browser.cs.");
        var driverFeatures = Quoted().Matches(StripComments().Replace(list.Groups["names"].Value, "")).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(driverFeatures);
        // What Chromium is given: one --disable-features (a second would replace it), with the driver's and ours.
        var disabled = Assert.Single(Support.Browser.Arguments, a => a.StartsWith("--disable-features=", StringComparison.Ordinal))["--disable-features=".Length..].Split(',');
        var missing = driverFeatures.Except(disabled).ToList();
        Assert.True(missing.Count == 0, $"Playwright now also disables {string.Join(", ", missing)}: add them to Support/Browser.cs's PlaywrightDisabledFeatures.");
        Assert.Empty(Support.Browser.BrowserOwnPopups.Except(disabled));
    }

    [Fact]
    public async Task A_lent_Chromium_comes_back_with_no_context_open_and_once_however_often_it_is_given_back()
    {
        var first = await Support.Browser.BorrowAsync();
        var page = await first.Browser.NewPageAsync();
        await page.SetContentAsync("<p>left open by the first test</p>");
        await first.DisposeAsync();
        await first.DisposeAsync();

        await using var second = await Support.Browser.BorrowAsync();
        await using var third = await Support.Browser.BorrowAsync();

        // Other tests borrow beside this one, so "the first one's Chromium" may have gone to them: whichever this is, it is
        // lent to one test at a time and holds no context of another's.
        Assert.NotSame(second.Browser, third.Browser);
        Assert.True(page.IsClosed);
        Assert.Empty(second.Browser.Contexts);
        Assert.Empty(third.Browser.Contexts);
    }

    [GeneratedRegex(@"disabledFeatures = \[(?<names>[^\]]*)\]")]
    private static partial Regex DriverDisabledFeatures();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex StripComments();

    [GeneratedRegex(@"""([A-Za-z0-9]+)""")]
    private static partial Regex Quoted();
}
