using Cord19.Core.Airflow;
using Cord19.Web.Model;
using Microsoft.AspNetCore.Components;

namespace Cord19.Web.Components.Pages;

/// <summary>
/// The pipeline's DAGs on the configured Airflow: pause, trigger with a previewed conf, follow a run's tasks
/// live (pushed by <see cref="AirflowRunWatcher"/>), read logs, retry failed tasks. The browser talks only to this
/// server; Airflow's address and credentials never reach it.
/// </summary>
public sealed partial class Dags : LiveComponent
{
    /// <summary>How this reader's moments are written (their time zone), from <see cref="Layout.ReaderMoments"/>.</summary>
    [CascadingParameter] public Moments Moments { get; set; } = Moments.OfServer;

    private sealed class TriggerDraft(string dagId, string confText)
    {
        public string DagId { get; } = dagId;
        public string ConfText { get; set; } = confText;
        public string? Problem { get; set; }
    }

    private sealed record LogState(AirflowTaskInstance Task, string Title, IReadOnlyList<AirflowLogLine> Lines, string? ContinuationToken, string? Problem);

    private Subscription? _watching;
    private AirflowServer? _server;
    private AirflowHealth? _health;
    private IReadOnlyList<AirflowDag>? _dags;
    private string? _selectedDag;
    private List<AirflowDagRun>? _runs;
    private (string DagId, string RunId)? _watched;
    private AirflowRunSnapshot? _snapshot;
    private TriggerDraft? _trigger;
    private LogState? _log;
    private string? _problem;
    private bool _problemIsGuidance;
    private bool _busy;

    [Inject] public required IAirflowClient Airflow { get; init; }
    [Inject] public required AirflowRunWatcher Watcher { get; init; }
    [Inject] public required ILogger<Dags> Logger { get; init; }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync() => await Do(async () =>
    {
        _server = await Airflow.GetServerAsync(Stopping);
        _health = await Airflow.GetHealthAsync(Stopping);
        _dags = await Airflow.ListDagsAsync(Stopping);
        _selectedDag ??= _dags.FirstOrDefault(d => PipelineDagRuns.DagIds.Contains(d.DagId))?.DagId;
        if (_selectedDag is not null) _runs = [.. await Airflow.ListRunsAsync(_selectedDag, 10, Stopping)];
    });

    private Task SelectDagAsync(string dagId) => Do(async () =>
    {
        _selectedDag = dagId;
        _runs = [.. await Airflow.ListRunsAsync(dagId, 10, Stopping)];
    });

    private Task SetActiveAsync(AirflowDag dag, bool active) => Do(async () =>
    {
        var changed = await Airflow.SetPausedAsync(dag.DagId, paused: !active, Stopping);
        _dags = _dags?.Select(d => d.DagId == dag.DagId ? d with { IsPaused = changed.IsPaused } : d).ToList();
    });

    private void PrepareTrigger(string dagId, string? scope) =>
        _trigger = new TriggerDraft(dagId, (scope is null ? [] : PipelineDagRuns.Conf(scope)).ToJsonString(new() { WriteIndented = true }));

    private Task TriggerAsync() => Do(async () =>
    {
        if (_trigger is not { } draft) return;
        try
        {
            var conf = PipelineDagRuns.ParseConf(draft.ConfText);
            draft.Problem = null;
            var run = await Airflow.TriggerAsync(draft.DagId, new AirflowTrigger(conf, Note: "triggered from the CORD-19 control panel"), Stopping);
            _trigger = null;
            _selectedDag = draft.DagId;
            _runs = [.. await Airflow.ListRunsAsync(draft.DagId, 10, Stopping)];
            if (!_runs.Any(r => r.RunId == run.RunId)) _runs.Insert(0, run);
            Watch(draft.DagId, run.RunId);
        }
        catch (AirflowException ex) when (ex.Problem is AirflowProblem.Invalid or AirflowProblem.Conflict or AirflowProblem.NotFound)
        {
            // Shown by the conf, where it can be fixed, rather than at the top of the page.
            draft.Problem = ex.Message;
        }
    });

    private void Watch(string dagId, string runId)
    {
        _watching?.Dispose();
        _watched = (dagId, runId);
        _snapshot = null;
        _log = null;
        _watching = Subscribe(ct => Watcher.WatchAsync(dagId, runId, ct), (AirflowRunSnapshot snapshot) =>
        {
            // A snapshot already on its way when the user picked another run belongs to the old one.
            if (_watched != (dagId, runId)) return;
            _snapshot = snapshot;
            if (snapshot.Run is { } run && _runs?.FindIndex(r => r.RunId == run.RunId) is >= 0 and var at) _runs[at] = run;
        });
    }

    private Task RetryFailedAsync() => Do(async () =>
    {
        if (_watched is not { } watched) return;
        await Airflow.ClearFailedTasksAsync(watched.DagId, watched.RunId, Stopping);
        Watcher.Refresh(watched.DagId, watched.RunId);
    });

    private Task ShowLogAsync(AirflowTaskInstance task) => ReadLogAsync(task, null, []);

    private Task MoreLogAsync() => _log is { ContinuationToken: { } next } log ? ReadLogAsync(log.Task, next, log.Lines) : Task.CompletedTask;

    private async Task ReadLogAsync(AirflowTaskInstance task, string? continuation, IReadOnlyList<AirflowLogLine> before)
    {
        if (_watched is not { } watched) return;
        var title = $"{task.TaskId} (try {task.TryNumber})";
        _busy = true;
        try
        {
            var page = await Airflow.GetLogAsync(watched.DagId, watched.RunId, task.TaskId, task.TryNumber, continuation, Stopping);
            // A token that brings nothing new ends the paging (Airflow 2 hands one out even at the end of a finished log).
            var next = page.Lines.Count == 0 ? null : page.ContinuationToken;
            _log = new LogState(task, title, [.. before, .. page.Lines], next, null);
        }
        catch (AirflowException ex)
        {
            // What was read stays, and the page that failed can be asked for again ("Load more" keeps its token).
            _log = new LogState(task, title, before, continuation, ex.Message);
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>Runs a user action; Airflow's refusal becomes the page's message, which the next success clears.</summary>
    private async Task Do(Func<Task> action)
    {
        _busy = true;
        var failure = await UserAction.RunAsync(action, Logger, Stopping);
        _problem = failure?.Message;
        // No Airflow yet is the normal local state: guidance, not an error.
        _problemIsGuidance = failure is AirflowException { Problem: AirflowProblem.NotConfigured };
        _busy = false;
    }
}
