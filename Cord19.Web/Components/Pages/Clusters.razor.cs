using Cord19.Core.Insights;
using Cord19.Core.Results;
using Cord19.Web.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Vizor.ECharts;

namespace Cord19.Web.Components.Pages;

/// <summary>
/// The map of all documents of a run, coloured by cluster. The points travel as one JSON payload that the
/// chart fetches from /api/results/{run}/map; the circuit only carries clicks, searches and the side panel.
/// </summary>
public sealed partial class Clusters : ResultPageBase
{
    private const int MaxHighlighted = 5_000;

    private RunResult? _run;
    private ChartOptions? _options;
    private ExternalDataSource? _payloadSource;
    private DocumentResult? _selected;
    private string? _selectedAbstract;
    private string? _search;
    private int _matches;

    [Inject] public required IJSRuntime JS { get; init; }

    /// <summary>Most points sent to the browser; larger runs are sampled (see the label above the map).</summary>
    /// <summary>Text, parsed here: "?limit=abc" in a hand-typed address means the default, not an error page.</summary>
    [SupplyParameterFromQuery(Name = "limit")] public string? Limit { get; set; }

    private int PointLimit => int.TryParse(Limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit > 0
        ? limit
        : DocumentMapPayload.DefaultLimit;

    private string CountLabel
    {
        get
        {
            if (_run is null) return "";
            var total = _run.Manifest.Documents;
            var shown = Math.Min(total, PointLimit);
            var label = shown < total ? $"showing {shown:N0} of {total:N0} documents (an even sample)" : $"{total:N0} documents";
            return string.IsNullOrWhiteSpace(_search) ? label : $"{label} · {_matches:N0} matching titles" + (_matches > MaxHighlighted ? $" ({MaxHighlighted:N0} highlighted)" : "");
        }
    }

    protected override Task OnParametersSetAsync() => ShowRequestedRunAsync(_run?.Manifest.RunId, LoadAsync);

    private async Task LoadAsync(string runId)
    {
        _selected = null;
        _search = null;
        try
        {
            // The whole run (read for search, clicks and checks) and the chart's own payload request share one
            // read; the chart starts from the small summary so that it does not wait for that read.
            var whole = Runs.GetRunAsync(runId);
            var summary = await Runs.GetSummaryAsync(runId);
            _run = summary;
            _payloadSource = DocumentMapChart.PayloadSource(runId, PointLimit);
            _options = DocumentMapChart.Options(summary.Clusters, _payloadSource);
            if (!RendererInfo.IsInteractive)
            {
                // The prerendered page needs only the summary; the read goes on in the cache meanwhile, so the
                // interactive page and the chart's payload request find it done or under way.
                _ = whole.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                return;
            }
            StateHasChanged();
            var run = await whole;
            Problems = RunProblems.Find(run);
            _run = run;
        }
        catch (ResultFileException ex)
        {
            _run = null;
            Problems = [ex.Message];
        }
    }

    private async Task OpenAsync(EventParams click)
    {
        // Points carry their index into the run's documents as their fourth value.
        if (_run is null || click.Value?.Numbers is not { Length: >= 4 } value) return;
        var index = (int)value[3];
        _selected = index >= 0 && index < _run.Documents.Count ? _run.Documents[index] : null;
        if (_selected is null) return;
        try
        {
            var abstracts = await Runs.GetAbstractsAsync(_run.Manifest.RunId);
            _selectedAbstract = abstracts.GetValueOrDefault(_selected.Id);
        }
        catch (ResultFileException ex)
        {
            _selectedAbstract = $"The abstract cannot be read: {ex.Message}";
        }
    }

    private async Task SearchAsync(string? text)
    {
        _search = text;
        var points = new List<float[]>();
        _matches = 0;
        if (_run is not null && !string.IsNullOrWhiteSpace(text))
        {
            var shown = await Runs.GetMapPayloadAsync(_run.Manifest.RunId, PointLimit);
            foreach (var cluster in shown.Points.Values)
                foreach (var p in cluster)
                {
                    if (shown.Docs[(int)p[2]][0]?.Contains(text, StringComparison.OrdinalIgnoreCase) != true) continue;
                    _matches++;
                    if (points.Count < MaxHighlighted) points.Add(p);
                }
        }
        await JS.InvokeVoidAsync("cord19Charts.setSeriesData", DocumentMapChart.ChartId, DocumentMapChart.SearchSeriesId, points);
    }
}
