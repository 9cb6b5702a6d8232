using Cord19.Core.Insights;
using Cord19.Core.Results;
using Cord19.Web.Model;
using Microsoft.AspNetCore.Components;
using Vizor.ECharts;

namespace Cord19.Web.Components.Pages;

/// <summary>Two runs' clusters side by side: sizes and top terms, paired by term overlap.</summary>
public sealed partial class Compare : ResultPageBase
{
    private IReadOnlyList<RunComparison.ClusterPair> _pairs = [];
    private ChartOptions? _pairingOptions;
    private RunResult? _left;
    private RunResult? _right;
    private string? _leftId;
    private string? _rightId;

    [SupplyParameterFromQuery(Name = "left")] public string? Left { get; set; }
    [SupplyParameterFromQuery(Name = "right")] public string? Right { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        await LoadRunListAsync();
        if (AvailableRuns.Count < 2) return;
        // By default: the newest run against the newest run of the other scope (subset against full), else the one before it.
        _leftId = Left ?? AvailableRuns[0].RunId;
        _rightId = Right ?? (AvailableRuns.FirstOrDefault(r => r.Scope != AvailableRuns[0].Scope) ?? AvailableRuns[1]).RunId;
        try
        {
            // Summaries: the pairing reads clusters and manifests, not the documents (a million took 8-9 s to read).
            _left = await Runs.GetSummaryAsync(_leftId);
            _right = await Runs.GetSummaryAsync(_rightId);
            _pairs = RunComparison.PairClusters(_left, _right);
            _pairingOptions = ComparisonCharts.Pairing(_left, _right, _pairs);
            Problems = [];
        }
        catch (ResultFileException ex)
        {
            Problems = [ex.Message];
        }
    }

    private Task ShowAsync(string? left, string? right)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["left"] = left, ["right"] = right }));
        return Task.CompletedTask;
    }

    /// <summary>Room for the longer column's labels: about 28 px a cluster.</summary>
    private string PairingHeight => $"{Math.Max(240, 28 * Math.Max(_left?.Clusters.Count ?? 0, _right?.Clusters.Count ?? 0))}px";

    private static string Share(int size, int total) => $"{size:N0} ({(double)size / Math.Max(1, total):P0})";

    private static string Terms(ClusterResult c) => string.Join(", ", c.TopTerms.Take(8).Select(t => t.Term));
}
