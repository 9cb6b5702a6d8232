using Cord19.Core.Insights;
using Cord19.Core.Results;
using Vizor.ECharts;

namespace Cord19.Web.Model;

/// <summary>The ECharts options of the Topics page: intertopic map, relevance bars and the topic's timeline.</summary>
public static class TopicCharts
{
    public const string MapId = "intertopic-map";
    public const string TermsId = "topic-terms";
    public const string TimelineId = "topic-timeline";

    /// <summary>One scatter series per cluster; circle area follows prevalence; the fourth value is the topic id.</summary>
    /// <param name="labels">Each topic's name (its most relevant terms), for the tooltip.</param>
    /// <param name="selectedTopic">Drawn opaque with a heavy outline, as pyLDAvis marks the topic whose terms are shown.</param>
    public static ChartOptions IntertopicMap(RunResult run, IReadOnlyList<IntertopicMap.TopicPoint> points, IReadOnlyDictionary<int, string> labels, int selectedTopic)
    {
        var prevalence = run.Topics.ToDictionary(t => t.Id, t => t.Prevalence);
        var series = run.Topics.GroupBy(t => t.Cluster).OrderBy(g => g.Key).Select(g => (ISeries)new ScatterSeries
        {
            Name = $"Cluster {g.Key}",
            Data = points.Where(p => g.Any(t => t.Id == p.TopicId))
                .Select(p => new ScatterSeriesData
                {
                    // Numbers only: Vizor hands a click's value to .NET as numbers, so the label travels as the name.
                    Value = [Math.Round(p.X, 5), Math.Round(p.Y, 5), prevalence[p.TopicId], p.TopicId],
                    Name = labels.GetValueOrDefault(p.TopicId, ""),
                    SymbolSize = Diameter(prevalence[p.TopicId]),
                    ItemStyle = p.TopicId == selectedTopic ? SelectedCircle : null,
                }).ToList(),
            ItemStyle = new ItemStyle { Opacity = 0.7, BorderColor = "#333", BorderWidth = 0.5 },
            // Numbered as in pyLDAvis, so a circle can be matched with the topic picker and the tables.
            Label = new Label
            {
                Show = true,
                Formatter = ChartFormatters.TopicNumber,
                Color = "#111",
                TextBorderColor = "#fff",
                TextBorderWidth = 2,
                FontSize = 11,
            },
        }).ToList();
        // The axes end at the outermost centres (not at rounded values, whose slack varied with the run): a margin of the
        // largest radius keeps every circle whole, where 8 px cut the outermost ones in half.
        var margin = (int)Math.Ceiling(run.Topics.Select(t => Diameter(t.Prevalence)).DefaultIfEmpty(0).Max() / 2) + 2;
        return new ChartOptions
        {
            Color = ChartPalette.Colors.Cast<object>().ToList(),
            Legend = new Legend { Type = LegendType.Plain, Top = 0 },
            // Room for one row of legend; the rows it wraps onto push the plot down (cord19Charts.makeRoomForLegend).
            Grid = new Grid { Left = margin, Right = margin, Top = 30 + margin, Bottom = margin },
            Tooltip = new Tooltip
            {
                Trigger = TooltipTrigger.Item,
                Formatter = ChartFormatters.TopicTooltip,
            },
            XAxis = new XAxis { Type = AxisType.Value, Min = "dataMin", Max = "dataMax", Show = false },
            YAxis = new YAxis { Type = AxisType.Value, Min = "dataMin", Max = "dataMax", Show = false },
            Series = series,
        };
    }

    /// <summary>A topic's circle, in pixels: its area grows with prevalence, and the rarest stays big enough to click.</summary>
    private static double Diameter(double prevalence) => Math.Round(10 + Math.Sqrt(Math.Max(0, prevalence)) * 120, 1);

    public static readonly ItemStyle SelectedCircle = new() { Opacity = 1, BorderColor = "#d6604d", BorderWidth = 3 };

    /// <summary>pyLDAvis' bars: each term's overall share (grey) and its share through the topic (red), ranked by relevance.</summary>
    public static ChartOptions Terms(IReadOnlyList<TopicRelevance.RankedTerm> terms) => new()
    {
        Animation = false,
        Legend = new Legend { Top = 0 },
        Grid = new Grid { Left = 8, Right = 16, Top = 32, Bottom = 8, ContainLabel = true },
        Tooltip = new Tooltip { Trigger = TooltipTrigger.Axis },
        // Two significant digits: at low λ the shares are small, and one decimal printed "0.1%" on every tick.
        XAxis = new XAxis { Type = AxisType.Value, AxisLabel = new AxisLabel { Formatter = ChartFormatters.Percent } },
        YAxis = new YAxis { Type = AxisType.Category, Inverse = true, Data = terms.Select(t => new AxisData { Value = t.Term }).ToList() },
        Series =
        [
            new BarSeries { Name = "Overall share of tokens", Data = terms.Select(t => Math.Round(t.Overall, 6)).ToList(), BarGap = "-100%", ItemStyle = new ItemStyle { Color = "#c8c8c8" } },
            new BarSeries { Name = "Share through this topic", Data = terms.Select(t => Math.Round(t.WithinTopic, 6)).ToList(), ItemStyle = new ItemStyle { Color = "#d6604d" } },
        ],
    };

    public static ChartOptions Timeline(IReadOnlyList<TopicDocuments.Month> months) => new()
    {
        Animation = false,
        // Room above the plot for the axis name ("mean weight"), which containLabel does not count.
        Grid = new Grid { Left = 8, Right = 16, Top = 32, Bottom = 8, ContainLabel = true },
        Tooltip = new Tooltip { Trigger = TooltipTrigger.Axis },
        XAxis = new XAxis { Type = AxisType.Time },
        YAxis = new YAxis { Type = AxisType.Value, Name = "mean weight" },
        Series =
        [
            new LineSeries
            {
                Name = "Mean topic weight",
                ShowSymbol = true,
                Data = months.Select(m => new object[] { m.Start.ToString("yyyy-MM-dd"), m.MeanWeight }).ToList(),
            },
        ],
    };
}
