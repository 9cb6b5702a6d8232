using Cord19.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>
/// The room a chart's legend gets (cord19Charts.makeRoomForLegend), on a chart made in a panel's page with the panel's
/// scripts: one whose room never settles.
/// </summary>
public sealed class LegendRoomBrowserTests : BrowserTest
{
    [Fact]
    public async Task A_chart_whose_legend_room_never_settles_stops_moving_and_raises_no_error()
    {
        var page = await Chromium.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => { lock (errors) errors.Add(error.Split('\n')[0]); };
        await App.OpenAsync(page, "/settings");
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // A title beside the legend: each move of the plot leaves a text as high as the legend, so each move asks for
        // another. The room moved itself until the stack ran out (a walk's Topics page, once), and before that it
        // moved every frame for as long as the page was open.
        const string Id = "legend-room-probe";
        await page.EvaluateAsync($"() => {{ {ChartLayout.RecordPlotTops(Id)} }}");
        await page.EvaluateAsync("""
            id => {
                const host = document.createElement('div');
                host.id = id;
                host.style.cssText = 'width: 420px; height: 300px';
                document.body.appendChild(host);
                const chart = echarts.init(host, cord19Charts.themeName());
                cord19Charts.follow(id, chart);
                chart.setOption({
                    title: { text: 'A title beside the legend', top: 0 }, legend: { top: 0 }, grid: { top: 36 },
                    xAxis: { type: 'category', data: ['a', 'b'] }, yAxis: { type: 'value' },
                    series: [1, 2, 3, 4, 5, 6].map(i => ({ name: 'A series with a long name ' + i, type: 'line', data: [i, i + 1] })),
                });
            }
            """, Id);
        await page.WaitForTimeoutAsync(2000);
        var tops = await ChartLayout.PlotTopsAsync(page, Id);

        lock (errors) Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.True(tops.Length is > 0 and <= 5, $"The plot was drawn at {string.Join(", ", tops)} px from the top.");

        // ECharts reports this chart's drawing only now and then; asked as often as a chart that reports every drawing
        // would be, the room stops after four moves, and is recorded: the walk's chart checks (ChartLayout) name such a
        // chart, a layout to mend rather than one that merely stops.
        var recorded = await page.EvaluateAsync<bool>("""
            async id => {
                const chart = echarts.getInstanceByDom(document.getElementById(id));
                for (let i = 0; i < 6; i++) {
                    cord19Charts.makeRoomForLegend(id, chart);
                    await new Promise(done => setTimeout(done, 50));
                }
                return cord19Charts.unsettledRooms.has(id);
            }
            """, Id);
        Assert.True(recorded, "The room was asked six times more and not recorded as stopped.");
    }
}
