using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>
/// A cost cap typed with a decimal comma, as much of Europe writes fifty cents, in a real browser: MudBlazor's reading
/// took the comma for a thousands separator and saved a $50 cap.
/// </summary>
public sealed class SettingsNumbersBrowserTests : BrowserTest
{
    [Fact]
    public async Task A_cap_typed_with_a_decimal_comma_is_refused_on_its_field_and_kept_as_typed()
    {
        var page = await Chromium.NewPageAsync();
        await App.OpenAsync(page, "/settings");
        await Expect(page.GetByTestId("app")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });
        var cap = page.GetByLabel("Cost cap (USD, empty for none)");

        await cap.FillAsync("0,50");
        await page.GetByTestId("save-settings").ClickAsync();

        await Expect(page.GetByTestId("settings-errors")).ToContainTextAsync("'0,50' has a comma: the panel reads decimals after a point, so write 0.50.");
        await Expect(cap).ToHaveValueAsync("0,50");
        await Expect(page.Locator(".mud-input-control", new() { Has = cap })).ToContainTextAsync("so write 0.50");
        using var http = App.CreateClient();
        // Nothing saved: the cap is still the default.
        Assert.Equal(new Cord19.Core.Settings.PipelineSettings().BudgetCapUsd, (await http.GetFromJsonAsync<JsonElement>($"{App.Url}/api/settings")).GetProperty("budgetCapUsd").GetDecimal());

        await cap.FillAsync("0.50");
        await page.GetByTestId("save-settings").ClickAsync();
        await Expect(page.GetByText("Settings saved.")).ToBeVisibleAsync();
        Assert.Equal(0.50m, (await http.GetFromJsonAsync<JsonElement>($"{App.Url}/api/settings")).GetProperty("budgetCapUsd").GetDecimal());
    }
}
