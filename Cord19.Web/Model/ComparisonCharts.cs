using Cord19.Core.Insights;
using Cord19.Core.Results;
using Vizor.ECharts;

namespace Cord19.Web.Model;

/// <summary>The pairing of two runs' clusters drawn as ribbons: a glance shows what matched, how well, and what did not.</summary>
public static class ComparisonCharts
{
    public const string PairingId = "cluster-pairing";

    private const string Unpaired = "#9e9e9e";

    /// <summary>
    /// A Sankey diagram: each column is a run, each block a cluster sized by its share of that run's documents, each
    /// ribbon a pair labelled with its overlap. Weak pairs are grey; unpaired clusters have no ribbon.
    /// </summary>
    public static ChartOptions Pairing(RunResult left, RunResult right, IReadOnlyList<RunComparison.ClusterPair> pairs)
    {
        // A right cluster takes its partner's colour, so a pair reads as one colour across; unpaired ones are grey.
        var partnerColour = pairs.Where(p => p.Right is not null).ToDictionary(p => p.Right!.Id, p => ChartPalette.Of(p.Left.Id));
        var nodes = left.Clusters.Select(c => Node(LeftName(c), 0, c, left.Manifest.Documents, ChartPalette.Of(c.Id)))
            .Concat(right.Clusters.Select(c => Node(RightName(c), 1, c, right.Manifest.Documents, partnerColour.GetValueOrDefault(c.Id, Unpaired))))
            .ToList();
        var links = pairs.Where(p => p.Right is not null).Select(p => new SankeySeriesLink
        {
            Source = LeftName(p.Left),
            Target = RightName(p.Right!),
            // As wide as the smaller of the two clusters, so a ribbon never claims more documents than either side has.
            Value = Math.Round(Math.Min(Share(p.Left, left.Manifest.Documents), Share(p.Right!, right.Manifest.Documents)), 4),
            LineStyle = p.IsWeak
                ? new LineStyle { Color = Unpaired, Opacity = 0.35 }
                : new LineStyle { Color = "source", Opacity = 0.6 },
            EdgeLabel = new EdgeLabel { Show = true, Formatter = $"{p.Overlap:0.00}{(p.IsWeak ? " weak" : "")}", FontSize = 11 },
        }).ToList();

        return new ChartOptions
        {
            Animation = false,
            Tooltip = new Tooltip { Trigger = TooltipTrigger.Item },
            Series =
            [
                new SankeySeries
                {
                    Left = 8,
                    Right = 8,
                    Top = 8,
                    Bottom = 8,
                    NodeAlign = SankeyNodeAlign.Justify,
                    LayoutIterations = 0,
                    Data = nodes,
                    Links = links,
                    Label = new Label { Show = true, FontSize = 11 },
                    // Each column's names sit on the inner side, inside the chart.
                    Levels =
                    [
                        new SankeySeriesLevel { Depth = 0, Label = new Label { Position = LabelPosition.Right } },
                        new SankeySeriesLevel { Depth = 1, Label = new Label { Position = LabelPosition.Left } },
                    ],
                },
            ],
        };
    }

    private static string LeftName(ClusterResult c) => $"Left {c.Id}: {Terms(c)}";

    private static string RightName(ClusterResult c) => $"Right {c.Id}: {Terms(c)}";

    private static string Terms(ClusterResult c) => string.Join(", ", c.TopTerms.Take(2).Select(t => t.Term));

    private static double Share(ClusterResult c, int documents) => (double)c.Size / Math.Max(1, documents);

    private static SankeySeriesData Node(string name, int depth, ClusterResult c, int documents, string colour) =>
        new() { Name = name, Value = Math.Round(Share(c, documents), 4), Depth = depth, ItemStyle = new ItemStyle { Color = colour } };
}
