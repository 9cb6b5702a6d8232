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
    /// <summary>Matches outside a sampled map listed beside it, so that a paper the sample left out can still be opened.</summary>
    private const int MaxListedBeyondSample = 10;
    private const string ReadingAbstract = "Reading the abstract…";

    private RunResult? _run;
    private ChartOptions? _options;
    private string? _prerenderedOptions;
    private string? _loadedMap;
    private DocumentResult? _selected;
    /// <summary>A document just opened, to be scrolled into sight once drawn (on a phone its panel is below the map).</summary>
    private bool _revealSelected;
    private string? _selectedAbstract;
    private string? _search;
    private bool _savingImage;
    private int? _matches;
    private int _matchesOnMap;
    private IReadOnlyList<(int Position, DocumentResult Document)> _beyondSample = [];
    private int _openings;

    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required MudBlazor.ISnackbar Snackbar { get; init; }
    [Inject] public required ILogger<Clusters> Logger { get; init; }

    /// <summary>
    /// Most points sent to the browser; larger runs are sampled (see the label above the map). Text, parsed here:
    /// "?limit=abc" in a hand-typed address means the default, not an error page.
    /// </summary>
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
            // Until a search has its answer (the titles are read at the first one), no count: "0 matching" would be wrong.
            if (string.IsNullOrWhiteSpace(_search)) return label;
            if (_matches is not { } matches) return $"{label} · searching titles…";
            var found = $"{label} · {matches:N0} matching title{(matches == 1 ? "" : "s")}";
            // The search covers the whole run; only the sample's matches can be marked.
            return shown < total ? found + $", {_matchesOnMap:N0} of them in the sample" : found;
        }
    }

    protected override Task OnParametersSetAsync() => ShowRequestedRunAsync(_run?.Manifest.RunId, LoadAsync);

    private async Task LoadAsync(string runId)
    {
        _selected = null;
        _search = null;
        _beyondSample = [];
        try
        {
            // The page needs the run's summary and its map's points (a few fields of the shown lines); a search reads
            // their titles, a click its one document. It never reads the run whole: a million documents took seconds.
            var summary = await Runs.GetSummaryAsync(runId);
            _run = summary;
            _options = DocumentMapChart.Options(runId, summary.Clusters);
            var map = Runs.GetMapPayloadAsync(runId, PointLimit);
            if (!RendererInfo.IsInteractive)
            {
                // The prerendered page needs only the summary; the points are read meanwhile, for the chart's payload
                // request. It carries the chart's options, so that the browser draws the map as soon as its points
                // arrive, before the circuit is up.
                _prerenderedOptions = ChartOptionsScript.Of(_options);
                _ = map.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                return;
            }
            Problems = (await map).Problems;
        }
        catch (ResultFileException ex)
        {
            _run = null;
            Problems = [ex.Message];
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_revealSelected && _selected is not null)
        {
            _revealSelected = false;
            await JS.InvokeVoidAsync("cord19Ui.reveal", "[data-testid=document-details]");
        }
        // The chart exists once rendered; its points are fetched by the browser itself, once per run and limit.
        var url = _run is null || _options is null ? null : DocumentMapChart.PayloadUrl(_run.Manifest.RunId, PointLimit);
        if (url is null || url == _loadedMap) return;
        _loadedMap = url;
        await JS.InvokeVoidAsync("cord19Charts.loadMap", DocumentMapChart.ChartId, url);
    }

    private async Task OpenAsync(EventParams click)
    {
        if (_run is not null && await DocumentIndexOf(click) is { } index) await OpenDocumentAsync(index);
    }

    private async Task OpenDocumentAsync(int index)
    {
        if (_run is null) return;
        var runId = _run.Manifest.RunId;
        // Each read below takes a moment on a large run; a later click's document is the one to show.
        var opening = ++_openings;
        DocumentResult? document;
        try
        {
            // The document's one line, then its abstract's: never the run whole.
            document = await Runs.GetDocumentAsync(runId, index);
        }
        catch (ResultFileException ex)
        {
            Problems = [ex.Message];
            return;
        }
        if (opening != _openings) return;
        _selected = document;
        if (document is null) return;
        _selectedAbstract = ReadingAbstract;
        _revealSelected = true;
        StateHasChanged();
        string text;
        try
        {
            text = await Runs.GetAbstractAsync(runId, index, document.Id) ?? "No abstract stored for this document.";
        }
        catch (ResultFileException ex)
        {
            text = $"The abstract cannot be read: {ex.Message}";
        }
        if (opening == _openings) _selectedAbstract = text;
    }

    /// <summary>A point is found by its place in the payload (a search's dots are not clickable: the point beneath is).</summary>
    private async Task<int?> DocumentIndexOf(EventParams click)
    {
        var (series, point) = (click.SeriesIndex, click.DataIndex);
        var shown = await Runs.GetMapPayloadAsync(_run!.Manifest.RunId, PointLimit);
        return series >= 0 && series < shown.Clusters.Count && point >= 0 && point < shown.Clusters[series].Documents.Length
            ? shown.Clusters[series].Documents[point]
            : null;
    }

    /// <summary>The run's titles read while the user types (see <see cref="ServiceClient.RunCache.GetTitlesAsync"/>).</summary>
    private void ReadTitlesAhead()
    {
        // A file that cannot be read is named by the search that needs it.
        if (_run is { } run && Problems.Count == 0)
            _ = Runs.GetTitlesAsync(run.Manifest.RunId).ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    private async Task SearchAsync(string? text)
    {
        _search = text;
        _matches = null;
        int[] found = [];
        byte[] matchBits = [];
        var onMap = 0;
        IReadOnlyList<(int, DocumentResult)> beyondSample = [];
        if (_run is not null && !string.IsNullOrWhiteSpace(text))
        {
            try
            {
                var runId = _run.Manifest.RunId;
                var shown = await Runs.GetMapPayloadAsync(runId, PointLimit);
                found = (await Runs.GetTitlesAsync(runId)).Find(text);
                (matchBits, onMap) = shown.Matches(found);
                if (shown.Shown < shown.Total && onMap < found.Length)
                    beyondSample = await ReadBeyondSampleAsync(runId, shown, found);
            }
            catch (ResultFileException ex)
            {
                Problems = [ex.Message];
                return;
            }
        }
        // A later search may have begun meanwhile; its answer is the one to show.
        if (_search != text) return;
        (_matches, _matchesOnMap, _beyondSample) = (found.Length, onMap, beyondSample);
        await JS.InvokeVoidAsync("cord19Charts.showMatches", DocumentMapChart.ChartId, matchBits);
    }

    /// <summary>The first matches the sample left out, one line each.</summary>
    private async Task<IReadOnlyList<(int, DocumentResult)>> ReadBeyondSampleAsync(string runId, DocumentMapPayload shown, int[] found)
    {
        var positions = found.Where(d => !shown.Shows(d)).Take(MaxListedBeyondSample).ToList();
        var documents = await Task.WhenAll(positions.Select(d => Runs.GetDocumentAsync(runId, d)));
        return positions.Zip(documents).Where(p => p.Second is not null).Select(p => (p.First, p.Second!)).ToList();
    }

    private string BeyondSampleNote
    {
        get
        {
            var beyond = (_matches ?? 0) - _matchesOnMap;
            return beyond > _beyondSample.Count
                ? $"The first {_beyondSample.Count} of {beyond:N0}, in the run's order; click one for its abstract."
                : "Click one for its abstract.";
        }
    }

    private Task ResetZoomAsync() => JS.InvokeVoidAsync("cord19Charts.resetZoom", DocumentMapChart.ChartId).AsTask();

    /// <summary>
    /// The map drawn again at three times its size takes the browser a second or so for 100,000 points: the button
    /// stays disabled meanwhile, so a second click does not draw it twice. A browser that cannot draw it (a script
    /// error, no memory for the copy, no answer within charts.js's wait) gets a message, and the page keeps its map,
    /// zoom and search.
    /// </summary>
    private async Task SaveImageAsync()
    {
        if (_run is not { } run || _savingImage) return;
        _savingImage = true;
        try
        {
            await JS.InvokeVoidAsync("cord19Charts.saveImage", DocumentMapChart.ChartId, $"document-map-{run.Manifest.RunId}.png");
        }
        catch (Exception ex) when (ex is JSException or TaskCanceledException)
        {
            // The browser's own words stay in the log: they name its internals, not what the reader can do.
            Logger.LogWarning("The map's image of run {RunId} was not drawn: {Reason}", run.Manifest.RunId, ex.Message);
            Snackbar.Add("The browser could not draw the map's image (it needs memory for a copy three times the map's size). " +
                         "Try again; if it fails again, hide clusters from the legend so that fewer points are drawn.",
                         MudBlazor.Severity.Warning);
        }
        finally
        {
            _savingImage = false;
        }
    }
}
