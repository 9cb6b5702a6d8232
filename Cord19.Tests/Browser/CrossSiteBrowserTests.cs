using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Airflow;
using Microsoft.AspNetCore.Http;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>
/// Cross-site request forgery as an attacker would try it: a plain HTML form served on another loopback port (where
/// docker-compose puts Airflow), opened in the same browser that is signed in to the panel. And the panel's own
/// writers still work in that browser: a phase from its page, Hangfire's dashboard actions, signing out.
/// </summary>
public sealed class CrossSiteBrowserTests : BrowserTest
{
    [Fact]
    public async Task A_form_on_another_port_cannot_make_the_signed_in_browser_change_anything()
    {
        var page = await Chromium.NewPageAsync();
        await App.OpenAsync(page, "/");
        await Expect(page.GetByTestId("app")).ToHaveAttributeAsync("data-interactive", "true");
        var target = $"{App.Url}/api/phases/7/run?deleteResults=true";
        await using var attacker = await FaultServer.StartAsync(async http =>
        {
            http.Response.ContentType = "text/html";
            await http.Response.WriteAsync($"<!DOCTYPE html><html><body><form id=f method=post action=\"{target}\"><input name=x value=1></form>" +
                                           "<script>document.getElementById('f').submit()</script></body></html>");
        });
        var answer = page.WaitForResponseAsync(r => r.Url.StartsWith(target, StringComparison.Ordinal));

        await page.GotoAsync(attacker.BaseUrl.ToString());

        var refused = await answer;
        using var http = App.CreateClient();
        var phases = await http.GetFromJsonAsync<JsonElement>($"{App.Url}/api/phases");
        var accepted = refused.Status == 202 ? 1 : 0;
        Figures.Report($"security: csrf_accepted={accepted} (a cookie-carrying form POST from another loopback port answered {refused.Status})");
        Assert.Equal(403, refused.Status);
        Assert.Equal("NotStarted", phases[6].GetProperty("status").GetString());

        // The panel's own pages still write: a phase from the Overview, a Hangfire action, signing out.
        await App.OpenAsync(page, "/");
        await Expect(page.GetByTestId("app")).ToHaveAttributeAsync("data-interactive", "true");
        await page.Locator("[data-testid=phase-1-run]").ClickAsync();
        await Expect(page.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });

        // The dashboard's live stats poll (a form POST every couple of seconds) and its actions still work.
        var statsPoll = page.WaitForResponseAsync(r => r.Url.EndsWith("/hangfire/stats", StringComparison.Ordinal), new() { Timeout = 15_000 });
        await App.OpenAsync(page, "/hangfire/jobs/succeeded");
        Assert.Equal(200, (await statsPoll).Status);
        await page.Locator("input.js-jobs-list-select-all").First.CheckAsync();
        var requeue = page.WaitForResponseAsync(r => r.Url.Contains("/hangfire/jobs/succeeded/requeue", StringComparison.Ordinal));
        await page.Locator("button.js-jobs-list-command").First.ClickAsync();
        Assert.Equal(204, (await requeue).Status);

        // Hangfire reloads its page after a command: sign out from a page of its own.
        var panel = await Chromium.NewPageAsync();
        await App.OpenAsync(panel, "/");
        await Expect(panel.GetByTestId("app")).ToHaveAttributeAsync("data-interactive", "true");
        page = panel;
        await page.GetByTestId("sign-out").ClickAsync();
        // Not WaitForURLAsync, which can miss the load event it waits for: see EarlyInputBrowserTests.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"), new() { Timeout = 30_000 });
        var after = await page.GotoAsync($"{App.Url}/api/phases");
        Assert.Equal(401, after!.Status);
    }
}
