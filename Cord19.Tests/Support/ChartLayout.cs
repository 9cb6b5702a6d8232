using Microsoft.Playwright;

namespace Cord19.Tests.Support;

/// <summary>
/// What a reader sees go wrong in a drawn chart, asked of ECharts itself: a legend whose rows run over the plot, and
/// labels under the plot that overlap or are cut at the chart's edge (both were seen in screenshots, not by any test).
/// A chart without axes (the runs' pairing) has only labels: none may overlap another or be cut at the chart's edge
/// (a ribbon's overlap figure ran into a cluster's name on a phone). A chart whose legend's room was stopped after four
/// moves (charts.js) is named too: its plot jumped four times, and the stop only hid it.
/// </summary>
public static class ChartLayout
{
    /// <summary>
    /// Records each new distance of a chart's plot from the chart's top (its grid's top), frame by frame, in
    /// <c>window.plotTops[elementId]</c>: where the reader saw the plot. Statements to run in the page, or before it as
    /// an init script (the chart may come later).
    /// </summary>
    public static string RecordPlotTops(string elementId) => $$"""
        (window.plotTops ??= {})['{{elementId}}'] = [];
        (function look() {
            const element = document.getElementById('{{elementId}}');
            const chart = element && window.echarts && echarts.getInstanceByDom(element);
            const option = chart && !chart.isDisposed() && chart.getOption();
            const tops = window.plotTops['{{elementId}}'];
            if (option && option.grid && tops.at(-1) !== option.grid[0].top) tops.push(option.grid[0].top);
            requestAnimationFrame(look);
        })();
        """;

    /// <summary>The plot's tops recorded so far by <see cref="RecordPlotTops"/>.</summary>
    public static Task<int[]> PlotTopsAsync(IPage page, string elementId) =>
        page.EvaluateAsync<int[]>("id => (window.plotTops && window.plotTops[id]) || []", elementId);

    private const string Problems = """
        ids => ids.flatMap(id => {
            const c = window.vizorECharts && vizorECharts.getChart(id);
            const model = c && !c.isDisposed() && c.getModel();
            if (!model || !(model.getSeries() || []).length) return [`${id}: not drawn`];
            if (cord19Charts.unsettledRooms.has(id)) return [`${id}: its plot moved four times for its legend's room and was stopped, at ${c.getWidth()} px`];
            const inChart = e => {
                const box = e.getBoundingRect().clone();
                e.updateTransform();
                if (e.transform) box.applyTransform(e.transform);
                return box;
            };
            const problems = [];
            const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
            const texts = () => c.getZr().storage.getDisplayList(true).filter(e => e.type === 'tspan' && !e.ignore && e.style.text)
                .map(e => ({ box: inChart(e), text: e.style.text }));
            const grid = model.getComponent('grid');
            if (!grid) {
                const all = texts();
                all.forEach((l, i) => {
                    if (l.box.x < 0 || l.box.x + l.box.width > c.getWidth()) problems.push(`${id}: the label "${l.text}" is cut at the chart's edge`);
                    all.slice(i + 1).filter(o => overlap(l.box, o.box)).forEach(o => problems.push(`${id}: the labels "${l.text}" and "${o.text}" overlap`));
                });
                return problems;
            }
            const plot = grid.coordinateSystem.getRect();
            const legend = model.getComponent('legend');
            if (legend && legend.get('show')) {
                const group = c.getViewOfComponentModel(legend).group;
                const box = inChart(group);
                if (box.y + box.height > plot.y)
                    problems.push(`${id}: its legend reaches ${Math.round(box.y + box.height)} px, below the plot's top at ${Math.round(plot.y)} px`);
                // Its entries' own text and icons (not its background), against every other text (an axis name, say).
                const own = e => {
                    for (let parent = e; parent; parent = parent.parent) if (parent === group) return true;
                    return false;
                };
                const drawn = c.getZr().storage.getDisplayList(true);
                const entries = drawn.filter(own).map(inChart).filter(b => b.width * b.height < box.width * box.height / 2);
                drawn.filter(e => e.type === 'tspan' && !own(e)).forEach(e => {
                    const b = inChart(e);
                    if (entries.some(l => b.x < l.x + l.width && l.x < b.x + b.width && b.y < l.y + l.height && l.y < b.y + b.height))
                        problems.push(`${id}: its legend covers "${e.style.text}"`);
                });
            }
            const labels = texts().filter(l => l.box.y >= plot.y + plot.height).sort((a, b) => a.box.x - b.box.x);
            labels.forEach((l, i) => {
                if (l.box.x < 0 || l.box.x + l.box.width > c.getWidth()) problems.push(`${id}: the label "${l.text}" is cut at the chart's edge`);
                if (i > 0 && labels[i - 1].box.x + labels[i - 1].box.width > l.box.x) problems.push(`${id}: the labels "${labels[i - 1].text}" and "${l.text}" overlap`);
            });
            return problems;
        })
        """;

    /// <summary>
    /// Where a chart's first series has its first or last point, in the page (null when it has none): where a pointer
    /// shows that point's tooltip, as a reader's would.
    /// </summary>
    private const string PointInPage = """
        ([id, last]) => {
            const c = vizorECharts.getChart(id), data = c && c.getModel().getSeriesByIndex(0)?.getData();
            if (!data || data.count() === 0) return null;
            let [x, y] = c.convertToPixel({ seriesIndex: 0 }, data.getValues(last ? data.count() - 1 : 0));
            // A time axis ends at its last point: on the plot's very edge, outside it by a rounding, the pointer shows
            // nothing. A pointer a pixel inside shows that point (the nearest), as a reader's does.
            const plot = c.getModel().getComponent('grid')?.coordinateSystem.getRect();
            if (plot) x = Math.min(Math.max(x, plot.x + 1), plot.x + plot.width - 1);
            const box = c.getDom().getBoundingClientRect();
            return [box.left + x, box.top + y];
        }
        """;

    /// <summary>
    /// The shown tooltip's left and right edges in the page (ECharts' own element: an absolute div on top of all), once
    /// it has settled: ECharts slides a tooltip to its place (0.4 s), and a box read mid-slide says nothing.
    /// </summary>
    private const string SettledTipEdges = """
        async id => {
            const edges = () => {
                const tip = [...vizorECharts.getChart(id).getDom().querySelectorAll('div')]
                    .find(d => d.style.zIndex === '9999999' && d.style.display !== 'none' && d.style.visibility !== 'hidden' && d.innerText.trim());
                if (!tip) return null;
                const box = tip.getBoundingClientRect();
                return [Math.round(box.left), Math.round(box.right)];
            };
            let last = null;
            for (let i = 0; i < 30; i++) {
                await new Promise(r => setTimeout(r, 100));
                const now = edges();
                if (now && last && now[0] === last[0] && now[1] === last[1]) return now;
                last = now;
            }
            return last;
        }
        """;

    /// <summary>
    /// Tooltips that reach past the screen's edges, shown at each chart's first and last point (a map point's card reached
    /// past a phone's left edge; ECharts places a tooltip beside the pointer unless it is confined to its chart).
    /// </summary>
    public static async Task<IReadOnlyList<string>> TooltipProblemsAsync(IPage page, IReadOnlyList<string> chartIds)
    {
        var problems = new List<string>();
        var width = page.ViewportSize!.Width;
        foreach (var id in chartIds)
        {
            await page.Locator($"#{id}").ScrollIntoViewIfNeededAsync();
            foreach (var last in new[] { false, true })
            {
                if (await page.EvaluateAsync<double[]?>(PointInPage, new object[] { id, last }) is not { } point) continue;
                await page.Mouse.MoveAsync((float)point[0], (float)point[1]);
                var edges = await page.EvaluateAsync<double[]?>(SettledTipEdges, id);
                var where = last ? "last" : "first";
                if (edges is null) problems.Add($"{id}: no tooltip at its {where} point");
                else if (edges[0] < 0 || edges[1] > width) problems.Add($"{id}: the tooltip at its {where} point spans {edges[0]:0} to {edges[1]:0} px of {width}");
            }
            await page.Mouse.MoveAsync(0, 0);
        }
        return problems;
    }

    /// <summary>
    /// The problems of the charts <paramref name="chartIds"/>, once they are drawn and settled (a legend's extra rows
    /// move the plot after its first drawing): none, or those still there after <paramref name="patience"/>.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(IPage page, IReadOnlyList<string> chartIds, TimeSpan patience)
    {
        try
        {
            await page.WaitForFunctionAsync($"ids => ({Problems})(ids).length === 0", chartIds,
                new() { Timeout = (float)patience.TotalMilliseconds, PollingInterval = 100 });
            return [];
        }
        catch (TimeoutException)
        {
            return await page.EvaluateAsync<string[]>(Problems, chartIds);
        }
    }
}
