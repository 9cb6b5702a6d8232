using Microsoft.Playwright;

namespace Cord19.Tests.Support;

/// <summary>
/// What a reader sees go wrong in a drawn chart, asked of ECharts itself: a legend whose rows run over the plot, and
/// labels under the plot that overlap or are cut at the chart's edge (both were seen in screenshots, not by any test).
/// A chart without axes (the runs' pairing) has only labels: none may overlap another or be cut at the chart's edge
/// (a ribbon's overlap figure ran into a cluster's name on a phone).
/// </summary>
public static class ChartLayout
{
    private const string Problems = """
        ids => ids.flatMap(id => {
            const c = window.vizorECharts && vizorECharts.getChart(id);
            const model = c && !c.isDisposed() && c.getModel();
            if (!model || !(model.getSeries() || []).length) return [`${id}: not drawn`];
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
