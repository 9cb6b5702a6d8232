using Cord19.Core.Results;
using Vizor.ECharts;

namespace Cord19.Web.Model;

/// <summary>The ECharts options of the document map: one large-mode scatter series per cluster, fed by the payload endpoint.</summary>
public static class DocumentMapChart
{
    public const string ChartId = "document-map";
    public const string SearchSeriesId = "search";

    public static ExternalDataSource PayloadSource(string runId, int limit) =>
        new($"api/results/{Uri.EscapeDataString(runId)}/map?limit={limit}");

    public static ChartOptions Options(IReadOnlyList<ClusterResult> clusters, ExternalDataSource payload)
    {
        var series = clusters.Select(c => (ISeries)new ScatterSeries
        {
            Name = Label(c),
            Data = new ExternalDataSourceRef(payload, $"points.{DocumentMapPayload.KeyOf(c.Id)}"),
            // Canvas "large" mode draws tens of thousands of points in one pass.
            Large = true,
            LargeThreshold = 2_000,
            // One pass instead of 400-point chunks over many frames: faster to the last point on a 2-core machine.
            Progressive = 0,
            SymbolSize = 4,
            ItemStyle = new ItemStyle { Opacity = 0.75 },
        }).ToList();
        series.Add(new ScatterSeries
        {
            Id = SearchSeriesId,
            Name = "Search matches",
            Data = Array.Empty<float[]>(),
            SymbolSize = 9,
            ItemStyle = new ItemStyle { Color = "rgba(0,0,0,0)", BorderColor = "#000", BorderWidth = 1.5 },
        });

        return new ChartOptions
        {
            Color = ChartPalette.Colors.Cast<object>().ToList(),
            Animation = false,
            // Every cluster visible at once (a paged legend hid most of them), wrapping clear of the toolbox on the right.
            Legend = new Legend { Type = LegendType.Plain, Top = 0, Left = 8, Right = 72 },
            Grid = new Grid { Left = 8, Right = 8, Top = 76, Bottom = 8 },
            Tooltip = new Tooltip
            {
                Trigger = TooltipTrigger.Item,
                // The payload's document table, cached by Vizor under the data source's fetch id.
                Formatter = new JavascriptFunction(
                    "function (p) { var d = vizorECharts.getDataSource('" + payload.FetchId + "').docs[p.value[2]] || []; var e = cord19Charts.escape;" +
                    " return '<b>' + e(d[0] || '(untitled)') + '</b><br/>' + e(d[1] || '') + (d[2] ? ' · ' + e(d[2]) : '') + '<br/><i>' + e(d[3] || '') + '</i>'; }"),
                ExtraCssText = "max-width: 28rem; white-space: normal;",
            },
            XAxis = new XAxis { Type = AxisType.Value, Scale = true, SplitLine = new SplitLine { Show = false }, Show = false },
            YAxis = new YAxis { Type = AxisType.Value, Scale = true, Show = false },
            DataZoom = [new InsideDataZoom { XAxisIndex = 0, FilterMode = DataZoomFilterMode.None }, new InsideDataZoom { YAxisIndex = 0, FilterMode = DataZoomFilterMode.None }],
            Toolbox = new Toolbox { Right = 8, Feature = new Feature { Restore = new Restore(), SaveAsImage = new SaveAsImage() } },
            Series = series,
        };
    }

    public static string Label(ClusterResult c) => $"{c.Id}: {string.Join(", ", c.TopTerms.Take(3).Select(t => t.Term))}";
}
