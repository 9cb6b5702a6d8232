using Cord19.Core.Insights;
using Cord19.Core.Results;
using Cord19.Web.Model;
using Vizor.ECharts;

namespace Cord19.Web.Components.Pages;

/// <summary>pyLDAvis' views of a run's topics: intertopic map, relevance-ranked terms with λ, timeline and top documents.</summary>
public sealed partial class Topics : ResultPageBase
{
    private const int TermsShown = 20;
    private const int DocumentsShown = TopicDocuments.PublishedTopCount;

    private RunResult? _run;
    private TopicTermMatrix? _matrix;
    private IReadOnlyDictionary<int, string> _labels = new Dictionary<int, string>();
    private TopicResult? _topic;
    private double _lambda = TopicRelevance.DefaultLambda;
    private IReadOnlyList<TopicRelevance.RankedTerm> _ranked = [];
    private TopicDocuments? _documents;
    private string? _documentsProblem;
    private IReadOnlyList<DocumentResult> _topDocuments = [];
    private IReadOnlyList<IntertopicMap.TopicPoint> _layout = [];
    private ChartOptions? _mapOptions;
    private ChartOptions? _termsOptions;
    private ChartOptions? _timelineOptions;
    private EChart? _mapChart;
    private EChart? _termsChart;
    private EChart? _timelineChart;

    protected override Task OnParametersSetAsync() => ShowRequestedRunAsync(_run?.Manifest.RunId, LoadAsync);

    private async Task LoadAsync(string runId)
    {
        _documents = null;
        _documentsProblem = null;
        try
        {
            // The summary and the topic-term matrix are small: the charts of terms and topics stand on them alone.
            _run = await Runs.GetSummaryAsync(runId);
            _matrix = await Runs.GetTopicTermsAsync(runId);
            Problems = _run.Topics.Count == 0
                ? [$"runs/{runId}/topics.json: the run has no topics (its clusters were too small for LDA)."]
                : [];
            if (Problems.Count > 0) return;
            _labels = _run.Topics.ToDictionary(t => t.Id, t => TopicRelevance.Label(_matrix, t.Id));
            _topic = _run.Topics.MaxBy(t => t.Prevalence);
            _layout = IntertopicMap.Layout(_matrix);
            Recompute();
        }
        catch (ResultFileException ex)
        {
            _run = null;
            Problems = [ex.Message];
            return;
        }
        // The timeline and the top documents come from the run's topic-documents.json, or, for a run made before it,
        // from every document (seconds for a million, once per run). The prerendered page starts that read and answers
        // without it; the interactive page shows the rest meanwhile.
        var documents = Runs.GetTopicDocumentsAsync(runId, DocumentsShown);
        if (!RendererInfo.IsInteractive)
        {
            _ = documents.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            return;
        }
        StateHasChanged();
        try
        {
            _documents = await documents;
            Recompute();
        }
        catch (ResultFileException ex)
        {
            _documentsProblem = ex.Message;
        }
    }

    private void Recompute()
    {
        var map = TopicCharts.IntertopicMap(_run!, _layout, _labels, _topic!.Id);
        // Drawn charts keep their options object (Vizor does not watch the parameter): change it in place.
        if (_mapOptions is null) _mapOptions = map;
        else _mapOptions.Series = map.Series;
        if (_documents is not null)
        {
            _topDocuments = _documents.Top(_topic.Id);
            var timeline = TopicCharts.Timeline(_documents.Timeline(_topic.Id));
            if (_timelineOptions is null) _timelineOptions = timeline;
            else _timelineOptions.Series = timeline.Series;
        }
        RerankTerms();
    }

    private void RerankTerms()
    {
        _ranked = TopicRelevance.Rank(_matrix!, _topic!.Id, _topic.Prevalence, _lambda, TermsShown);
        var terms = TopicCharts.Terms(_ranked);
        if (_termsOptions is null) _termsOptions = terms;
        else (_termsOptions.YAxis, _termsOptions.Series) = (terms.YAxis, terms.Series);
    }

    private async Task RedrawAsync()
    {
        Recompute();
        if (_mapChart is not null) await _mapChart.UpdateAsync();
        if (_termsChart is not null) await _termsChart.UpdateAsync();
        if (_timelineChart is not null) await _timelineChart.UpdateAsync();
    }

    private Task SelectTopicAsync(int topicId)
    {
        _topic = _run!.Topics.First(t => t.Id == topicId);
        return RedrawAsync();
    }

    private Task SelectFromMapAsync(EventParams click) =>
        click.Value?.Numbers is { Length: >= 4 } value && _run!.Topics.Any(t => t.Id == (int)value[3])
            ? SelectTopicAsync((int)value[3])
            : Task.CompletedTask;

    // λ changes only the terms' order: the other charts stay as they are.
    private async Task SetLambdaAsync(double lambda)
    {
        _lambda = Math.Clamp(Math.Round(lambda, 2), 0, 1);
        RerankTerms();
        if (_termsChart is not null) await _termsChart.UpdateAsync();
    }

    private string TopicLabel(TopicResult t) =>
        $"Topic {t.Id} · cluster {t.Cluster} · {t.Prevalence:P1} · {_labels.GetValueOrDefault(t.Id)}";
}
