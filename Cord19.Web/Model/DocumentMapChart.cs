using Cord19.Core.Results;
using Vizor.ECharts;

namespace Cord19.Web.Model;

/// <summary>
/// The ECharts options of the document map: one large-mode scatter series per cluster, empty until
/// <c>cord19Charts.loadMap</c> fills them with typed arrays from the binary payload (the circuit never carries points).
/// </summary>
public static class DocumentMapChart
{
    public const string ChartId = "document-map";

    /// <summary>The chart's height, which Vizor gives ECharts (its element has none) and the prerendered page's early drawing too.</summary>
    public const string Height = "620px";

    public static string PayloadUrl(string runId, int limit) => $"api/results/{Uri.EscapeDataString(runId)}/map?limit={limit}";

    public static string SeriesId(int clusterId) => $"c{clusterId}";

    public static ChartOptions Options(string runId, IReadOnlyList<ClusterResult> clusters)
    {
        var series = clusters.Select(c => (ISeries)new ScatterSeries
        {
            Id = SeriesId(c.Id),
            Name = Label(c),
            // Filled by cord19Charts.loadMap with a Float32Array of (x, y) pairs.
            Dimensions = ["x", "y"],
            Data = Array.Empty<float[]>(),
            // Canvas "large" mode draws tens of thousands of points in one pass. Every cluster, however small: a series
            // below the threshold highlights its points under the pointer (and when its legend entry is hovered), which
            // draws the canvas the clusters share again, every other cluster's points with it. One point, not none: ECharts
            // draws an empty series in large mode with no points laid out and throws on every frame, which is how every
            // series starts when the map is opened from the panel's menu (its points follow the chart).
            Large = true,
            LargeThreshold = 1,
            // One pass instead of 400-point chunks over many frames: faster to the last point on a 2-core machine.
            Progressive = 0,
            // ECharts gives a scatter series above its progressive threshold (10,000 points in large mode) a canvas of its
            // own, progressive or not: the 100,000-point map was seven canvases the size of the chart, each cleared before
            // drawing (12 ms each) and composited. Never above it, the clusters share one canvas with the legend.
            ProgressiveThreshold = int.MaxValue,
            // Just under 4 px: ECharts' large mode fills a rectangle per point below 4 px, and from 4 px builds one path
            // of 100,000 arcs, which took 0.5-0.9 s to draw in headless Chromium against 0.35-0.55 s.
            SymbolSize = 3.9,
            ItemStyle = new ItemStyle { Opacity = 0.75 },
        }).ToList();
        return new ChartOptions
        {
            Color = ChartPalette.Colors.Cast<object>().ToList(),
            Animation = false,
            // Every cluster visible at once (a paged legend hid most of them).
            Legend = new Legend { Type = LegendType.Plain, Top = 0, Left = 8, Right = 8 },
            // Room for three rows of legend, the most a desktop's needs; on a phone cord19Charts.makeRoomForLegend moves
            // the plot below the rest.
            Grid = new Grid { Left = 8, Right = 8, Top = 76, Bottom = 8 },
            Tooltip = new Tooltip
            {
                Trigger = TooltipTrigger.Item,
                // Each document's card is fetched when the pointer rests on it (and kept), not sent with the points.
                Formatter = ChartFormatters.MapTooltip(ChartId, runId),
                // No wider than the chart it is kept inside (the themes confine every tooltip): on a phone the card reached
                // past the screen's left edge.
                ExtraCssText = "max-width: min(28rem, 90%); white-space: normal;",
                // Placed at once: the card is placed for "…" and again for the fetched card, and ECharts' 0.4 s slide
                // between the two carried a phone's card past the screen's edge on its way.
                TransitionDuration = 0,
            },
            XAxis = new XAxis { Type = AxisType.Value, Scale = true, SplitLine = new SplitLine { Show = false }, Show = false },
            YAxis = new YAxis { Type = AxisType.Value, Scale = true, Show = false },
            DataZoom = [new InsideDataZoom { XAxisIndex = 0, FilterMode = DataZoomFilterMode.None }, new InsideDataZoom { YAxisIndex = 0, FilterMode = DataZoomFilterMode.None }],
            Series = series,
        };
    }

    public static string Label(ClusterResult c) => $"{c.Id}: {string.Join(", ", c.TopTerms.Take(3).Select(t => t.Term))}";
}
