using Cord19.Core.Costs;
using Vizor.ECharts;

namespace Cord19.Web.Model;

/// <summary>The ECharts options of the Costs page.</summary>
public static class CostCharts
{
    /// <summary>Cumulative cost per resource, sampled along the deployment's life.</summary>
    public static ChartOptions Cumulative(IReadOnlyList<CostSnapshot> samples)
    {
        var names = samples.SelectMany(s => s.Resources.Select(r => r.Name)).Distinct().ToList();
        return new ChartOptions
        {
            Animation = false,
            Color = ChartPalette.Colors.Cast<object>().ToList(),
            // Every resource visible at once: a paged legend left the largest series without a visible entry. Its rows
            // beyond the first push the plot down (cord19Charts.makeRoomForLegend): three on a desktop, five on a phone.
            Legend = new Legend { Type = LegendType.Plain, Top = 0 },
            Tooltip = new Tooltip { Trigger = TooltipTrigger.Axis },
            Grid = new Grid { Left = 8, Right = EndLabelRoom, Top = 36, Bottom = 8, ContainLabel = true },
            XAxis = TimeAxis(),
            YAxis = new YAxis { Type = AxisType.Value, Name = "USD" },
            Series = names.Select(name => (ISeries)new LineSeries
            {
                Name = name,
                ShowSymbol = false,
                Stack = "total",
                AreaStyle = new AreaStyle(),
                Data = samples.Select(s => new object[] { s.At.ToString("o"), Math.Round(s.Resources.FirstOrDefault(r => r.Name == name)?.Accrued ?? 0, 5) }).ToList(),
            }).ToList(),
        };
    }

    /// <summary>The instance's hourly price over the deployment's life, against the maximum the user accepts.</summary>
    public static ChartOptions SpotPrice(IReadOnlyList<PricePoint> history, DateTime from, DateTime to, decimal maxPrice)
    {
        var points = history.Select(p => new object[] { (p.From < from ? from : p.From).ToString("o"), p.UsdPerHour }).ToList();
        points.Add([to.ToString("o"), history[^1].UsdPerHour]);
        return new ChartOptions
        {
            Animation = false,
            Legend = new Legend { Top = 0 },
            Tooltip = new Tooltip { Trigger = TooltipTrigger.Axis },
            Grid = new Grid { Left = 8, Right = EndLabelRoom, Top = 36, Bottom = 8, ContainLabel = true },
            XAxis = TimeAxis(),
            YAxis = new YAxis { Type = AxisType.Value, Name = "USD/h" },
            Series =
            [
                new LineSeries { Name = "Spot price", ShowSymbol = false, Data = points },
                new LineSeries { Name = "Max price", ShowSymbol = false, Data = new List<object[]> { new object[] { from.ToString("o"), maxPrice }, new object[] { to.ToString("o"), maxPrice } } },
            ],
        };
    }

    /// <summary>
    /// A deployment's time, labelled without overlaps. ECharts' default five splits put a label every second or two on
    /// a deployment seconds old, and "03:30:10" labels ran into one another from an 8-second span at the page's width;
    /// three splits, and hiding any label that would still touch its neighbour (a phone's width), keep them apart.
    /// </summary>
    private static XAxis TimeAxis() => new() { Type = AxisType.Time, SplitNumber = 3, AxisLabel = new AxisLabel { HideOverlap = true } };

    /// <summary>Half a "03:30:10" label: a label centred on the axis' last moment is cut at the canvas' edge with less.</summary>
    private const int EndLabelRoom = 32;

    /// <summary>The final (or current) cost of each deployment, oldest first.</summary>
    public static ChartOptions PastDeployments(IReadOnlyList<(string Label, decimal? Usd)> deployments) => new()
    {
        Animation = false,
        Tooltip = new Tooltip { Trigger = TooltipTrigger.Axis },
        // Room above the plot for the axis name ("USD"), which containLabel does not count.
        Grid = new Grid { Left = 8, Right = 16, Top = 32, Bottom = 8, ContainLabel = true },
        XAxis = new XAxis { Type = AxisType.Category, Data = deployments.Select(d => new AxisData { Value = d.Label }).ToList() },
        YAxis = new YAxis { Type = AxisType.Value, Name = "USD" },
        Series = [new BarSeries { Name = "Cost", Data = deployments.Select(d => d.Usd is { } v ? (object)Math.Round(v, 4) : "-").ToList() }],
    };
}
