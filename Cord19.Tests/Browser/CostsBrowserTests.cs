using Cord19.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

public sealed class CostsBrowserTests : BrowserTest
{
    private sealed record Label(double Left, double Width, string Text)
    {
        public double Right => Left + Width;
    }

    // The time axis' labels as drawn, in canvas pixels, left to right: the text spans below the plot.
    private const string TimeLabels = """
        id => {
            const c = vizorECharts.getChart(id);
            const plot = c.getModel().getComponent('grid').coordinateSystem.getRect();
            return c.getZr().storage.getDisplayList(true).filter(e => e.type === 'tspan').map(e => {
                const box = e.getBoundingRect().clone();
                if (e.transform) box.applyTransform(e.transform);
                return { x: box.x, y: box.y, w: box.width, text: e.style.text };
            }).filter(b => b.y >= plot.y + plot.height).sort((a, b) => a.x - b.x)
              .map(b => ({ left: b.x, width: b.w, text: b.text }));
        }
        """;

    // A phone's width: the narrowest chart, where crowded labels show first (at 1,400 px the old axis still fitted a
    // 12-second span; at 390 px it did not).
    [Fact]
    public async Task The_cost_charts_keep_their_time_labels_apart_and_inside_the_chart()
    {
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 1000 } });
        await App.OpenAsync(page);
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.Locator("[data-testid=phase-1-run]").ClickAsync();
        await Expect(page.Locator("[data-testid=phase-1-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 30_000 });
        // The charts span the deployment's life so far. ECharts' default axis put a label every second or two from an
        // 8-second span on, and the labels ran into one another (seen in CI's screenshot of a 27-second deployment).
        await Task.Delay(TimeSpan.FromSeconds(12));

        await App.OpenAsync(page, "/costs");
        foreach (var chart in new[] { "cost-cumulative", "cost-spot" })
        {
            await page.WaitForFunctionAsync($"() => {{ const c = window.vizorECharts && vizorECharts.getChart('{chart}'); return c && c.getOption().series.length > 0; }}",
                null, new() { Timeout = 30_000 });
            var canvasWidth = await page.EvaluateAsync<double>($"() => vizorECharts.getChart('{chart}').getWidth()");
            var labels = System.Text.Json.JsonSerializer.Deserialize<Label[]>(
                await page.EvaluateAsync<string>($"id => JSON.stringify(({TimeLabels})(id))", chart), System.Text.Json.JsonSerializerOptions.Web)!;
            var drawn = string.Join(", ", labels.Select(l => $"{l.Text} at {l.Left:0}-{l.Right:0}"));
            Assert.True(labels.Length >= 2, $"{chart}: {labels.Length} time labels ({drawn})");
            Assert.All(labels, l => Assert.True(l.Left >= 0 && l.Right <= canvasWidth, $"{chart}: a label is cut at the edge of its {canvasWidth:0} px: {drawn}"));
            Assert.All(labels.Zip(labels.Skip(1)), pair => Assert.True(pair.First.Right <= pair.Second.Left, $"{chart}: labels overlap: {drawn}"));
        }
    }
}
