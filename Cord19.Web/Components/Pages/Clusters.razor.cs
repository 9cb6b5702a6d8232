using Cord19.Core.Insights;
using Cord19.Core.Results;
using Cord19.Web.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Vizor.ECharts;

namespace Cord19.Web.Components.Pages;

/// <summary>
/// The map of all documents of a run, coloured by cluster. The points travel as one binary payload that the
/// browser fetches from /api/results/{run}/map; the circuit only carries clicks, searches and the side panel.
/// </summary>
public sealed partial class Clusters : ResultPageBase
{
    private const int MaxHighlighted = 5_000;
    private const string ReadingAbstract = "Reading the abstract…";

    private RunResult? _run;
    private ChartOptions? _options;
    private string? _prerenderedOptions;
    private string? _loadedMap;
    private DocumentResult? _selected;
    private string? _selectedAbstract;
    private string? _search;
    private int _matches;
    private bool _reading;

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
            // Search and clicks wait for every document to be read (seconds for a million, once per run); the points do
            // not. Said briefly: the label shares its row with the search field.
            if (_reading) return $"reading {total:N0} documents…";
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
            // The chart starts from the small summary and its points (a few fields of each line shown); the whole run,
            // for search, clicks and checks, is read after them, so that the two reads do not share the cores.
            var whole = WholeRunAfterMapAsync(runId);
            var summary = await Runs.GetSummaryAsync(runId);
            _run = summary;
            _options = DocumentMapChart.Options(runId, summary.Clusters);
            _reading = !whole.IsCompleted;
            if (!RendererInfo.IsInteractive)
            {
                // The prerendered page needs only the summary; the reads go on in the cache meanwhile, so the
                // interactive page and the chart's payload request find them done or under way. It carries the chart's
                // options, so that the browser draws the map as soon as its points arrive, before the circuit is up.
                _prerenderedOptions = ChartOptionsScript.Of(_options);
                _ = whole.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                return;
            }
            StateHasChanged();
            var run = await whole;
            _reading = false;
            Problems = RunProblems.Find(run);
            _run = run;
        }
        catch (ResultFileException ex)
        {
            _run = null;
            _reading = false;
            Problems = [ex.Message];
        }
    }

    private async Task<RunResult> WholeRunAfterMapAsync(string runId)
    {
        try
        {
            await Runs.GetMapPayloadAsync(runId, PointLimit);
        }
        catch (ResultFileException)
        {
            // The whole read meets the same file and names its problem on the page.
        }
        return await Runs.GetRunAsync(runId);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The chart exists once rendered; its points are fetched by the browser itself, once per run and limit.
        var url = _run is null || _options is null ? null : DocumentMapChart.PayloadUrl(_run.Manifest.RunId, PointLimit);
        if (url is null || url == _loadedMap) return;
        _loadedMap = url;
        await JS.InvokeVoidAsync("cord19Charts.loadMap", DocumentMapChart.ChartId, url);
    }

    private async Task OpenAsync(EventParams click)
    {
        if (_run is null || await DocumentIndexOf(click) is not { } index) return;
        var runId = _run.Manifest.RunId;
        try
        {
            // While a large run is read (search needs it whole), a click reads its one document and abstract.
            _selected = await Runs.GetDocumentAsync(runId, index);
        }
        catch (ResultFileException ex)
        {
            Problems = [ex.Message];
            return;
        }
        if (_selected is not { } opened) return;
        _selectedAbstract = ReadingAbstract;
        StateHasChanged();
        string? text;
        try
        {
            text = await Runs.GetAbstractAsync(runId, index, opened.Id) ?? "No abstract stored for this document.";
        }
        catch (ResultFileException ex)
        {
            text = $"The abstract cannot be read: {ex.Message}";
        }
        // A later click may have opened another document meanwhile.
        if (_selected == opened) _selectedAbstract = text;
    }

    /// <summary>A cluster's point is found by its place in the payload; a search highlight carries the index itself.</summary>
    private async Task<int?> DocumentIndexOf(EventParams click)
    {
        var (series, point) = (click.SeriesIndex, click.DataIndex);
        var shown = await Runs.GetMapPayloadAsync(_run!.Manifest.RunId, PointLimit);
        if (series < shown.Clusters.Count)
            return point >= 0 && point < shown.Clusters[series].Documents.Length ? shown.Clusters[series].Documents[point] : null;
        return click.Value?.Numbers is { Length: >= 3 } value ? (int)value[2] : null;
    }

    private async Task SearchAsync(string? text)
    {
        _search = text;
        var points = new List<float[]>();
        _matches = 0;
        if (_run is not null && !string.IsNullOrWhiteSpace(text))
        {
            var run = await Runs.GetRunAsync(_run.Manifest.RunId);
            var shown = await Runs.GetMapPayloadAsync(run.Manifest.RunId, PointLimit);
            foreach (var cluster in shown.Clusters)
                for (var p = 0; p < cluster.Documents.Length; p++)
                {
                    var index = cluster.Documents[p];
                    if (run.Documents[index].Title?.Contains(text, StringComparison.OrdinalIgnoreCase) != true) continue;
                    _matches++;
                    if (points.Count < MaxHighlighted) points.Add([cluster.XY[2 * p], cluster.XY[2 * p + 1], index]);
                }
        }
        await JS.InvokeVoidAsync("cord19Charts.setSeriesData", DocumentMapChart.ChartId, DocumentMapChart.SearchSeriesId, points);
    }

    private Task ResetZoomAsync() => JS.InvokeVoidAsync("cord19Charts.resetZoom", DocumentMapChart.ChartId).AsTask();

    private Task SaveImageAsync() =>
        _run is { } run ? JS.InvokeVoidAsync("cord19Charts.saveImage", DocumentMapChart.ChartId, $"document-map-{run.Manifest.RunId}.png").AsTask() : Task.CompletedTask;
}
