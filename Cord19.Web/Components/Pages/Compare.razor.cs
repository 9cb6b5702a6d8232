using Cord19.Core.Insights;
using Cord19.Core.Results;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Components;

namespace Cord19.Web.Components.Pages;

/// <summary>Two runs' clusters side by side: sizes and top terms, paired by term overlap.</summary>
public sealed partial class Compare : ComponentBase
{
    private IReadOnlyList<RunManifest> _runs = [];
    private IReadOnlyList<string> _problems = [];
    private IReadOnlyList<RunComparison.ClusterPair> _pairs = [];
    private RunResult? _left;
    private RunResult? _right;
    private string? _leftId;
    private string? _rightId;
    private bool _loaded;

    [Inject] public required IResultStore Store { get; init; }
    [Inject] public required RunCache Runs { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }

    [SupplyParameterFromQuery(Name = "left")] public string? Left { get; set; }
    [SupplyParameterFromQuery(Name = "right")] public string? Right { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        _runs = (await Store.ListRunsAsync(CancellationToken.None)).Runs;
        _loaded = true;
        if (_runs.Count < 2) return;
        // By default: the newest run against the newest run of the other scope (subset against full), else the one before it.
        _leftId = Left ?? _runs[0].RunId;
        _rightId = Right ?? (_runs.FirstOrDefault(r => r.Scope != _runs[0].Scope) ?? _runs[1]).RunId;
        try
        {
            _left = await Runs.GetRunAsync(_leftId);
            _right = await Runs.GetRunAsync(_rightId);
            _pairs = RunComparison.PairClusters(_left, _right);
            _problems = [];
        }
        catch (ResultFileException ex)
        {
            _problems = [ex.Message];
        }
    }

    private Task ShowAsync(string? left, string? right)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["left"] = left, ["right"] = right }));
        return Task.CompletedTask;
    }

    private static string Share(int size, int total) => $"{size:N0} ({(double)size / Math.Max(1, total):P0})";

    private static string Terms(ClusterResult c) => string.Join(", ", c.TopTerms.Take(8).Select(t => t.Term));
}
