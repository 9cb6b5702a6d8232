using System.Collections.Concurrent;
using Cord19.Core.Airflow;

namespace Cord19.Tests.Support.Airflow;

/// <summary>
/// <see cref="IAirflowClient"/> for page tests: DAGs, runs and tasks held in memory that a test changes while the
/// page watches; <see cref="Failure"/> makes every call refuse as Airflow would.
/// </summary>
public sealed class FakeAirflowClient : IAirflowClient
{
    public List<AirflowDag> Dags { get; } = [];
    public ConcurrentDictionary<string, List<AirflowDagRun>> Runs { get; } = new();
    public ConcurrentDictionary<string, AirflowTaskInstance[]> Tasks { get; } = new();
    public ConcurrentQueue<string> Calls { get; } = new();
    public List<AirflowLogPage> LogPages { get; } = [];
    public AirflowException? Failure { get; set; }

    /// <summary>Asked with each call's name (as in <see cref="Calls"/>): an exception fails that call alone, as an Airflow silent for a while would.</summary>
    public Func<string, AirflowException?>? FailureOf { get; set; }
    public AirflowTrigger? LastTrigger { get; private set; }

    public void SetTasks(string runId, params AirflowTaskInstance[] tasks) => Tasks[runId] = tasks;

    /// <summary>The tasks a new run of a DAG gets, for callers that choose their own run ids.</summary>
    public ConcurrentDictionary<string, AirflowTaskInstance[]> TasksOfNewRuns { get; } = new();

    private Task<T> Answer<T>(string call, Func<T> answer)
    {
        Calls.Enqueue(call);
        return (Failure ?? FailureOf?.Invoke(call)) is { } failure ? Task.FromException<T>(failure) : Task.FromResult(answer());
    }

    public Task<AirflowServer> GetServerAsync(CancellationToken cancellationToken = default) =>
        Answer("server", () => new AirflowServer("3.1.0", AirflowApiVersion.V2));

    /// <summary>What the health endpoint answers.</summary>
    public AirflowHealth Health { get; set; } = new("healthy", "healthy", "healthy", null);

    public Task<AirflowHealth> GetHealthAsync(CancellationToken cancellationToken = default) => Answer("health", () => Health);

    public Task<IReadOnlyList<AirflowDag>> ListDagsAsync(CancellationToken cancellationToken = default) =>
        Answer<IReadOnlyList<AirflowDag>>("dags", () =>
        {
            // A test may add a DAG while a phase looks, as Airflow's DAG processor would.
            lock (Dags) return [.. Dags];
        });

    public Task<AirflowDag> SetPausedAsync(string dagId, bool paused, CancellationToken cancellationToken = default) =>
        Answer($"paused {dagId} {paused}", () =>
        {
            lock (Dags)
            {
                var at = Dags.FindIndex(d => d.DagId == dagId);
                return Dags[at] = Dags[at] with { IsPaused = paused };
            }
        });

    public Task<AirflowDagRun> TriggerAsync(string dagId, AirflowTrigger trigger, CancellationToken cancellationToken = default) =>
        Answer($"trigger {dagId}", () =>
        {
            // As Airflow: the caller's run id if it gives one, and 409 for one that exists.
            var runId = trigger.RunId ?? $"manual__{Runs.GetValueOrDefault(dagId)?.Count ?? 0}";
            if (Runs.GetValueOrDefault(dagId)?.Any(r => r.RunId == runId) == true)
                throw new AirflowException(AirflowProblem.Conflict, $"DAG run {runId} exists already.", 409);
            LastTrigger = trigger;
            var run = new AirflowDagRun(dagId, runId, "queued", null, DateTimeOffset.UtcNow, null, trigger.Conf);
            Runs.GetOrAdd(dagId, _ => []).Insert(0, run);
            if (!Tasks.ContainsKey(runId) && TasksOfNewRuns.TryGetValue(dagId, out var tasks)) Tasks[runId] = tasks;
            return run;
        });

    public Task<IReadOnlyList<AirflowDagRun>> ListRunsAsync(string dagId, int limit = 25, CancellationToken cancellationToken = default) =>
        Answer<IReadOnlyList<AirflowDagRun>>($"runs {dagId}", () => [.. Runs.GetValueOrDefault(dagId) ?? []]);

    public Task<AirflowDagRun> GetRunAsync(string dagId, string runId, CancellationToken cancellationToken = default) =>
        Answer($"run {runId}", () => Runs[dagId].First(r => r.RunId == runId) with { State = RunStateOf.GetValueOrDefault(runId) ?? RunState(runId) });

    /// <summary>A run's state as set over its tasks' (a run that hit its DAG's timeout, or one marked failed by hand).</summary>
    public ConcurrentDictionary<string, string> RunStateOf { get; } = new();

    /// <summary>The state Airflow's scheduler gives a cleared task once it has run it again; null: not run yet.</summary>
    public string? ClearedTasksEndAs { get; set; }

    public Task<IReadOnlyList<AirflowTaskInstance>> ListTasksAsync(string dagId, string runId, CancellationToken cancellationToken = default) =>
        Answer<IReadOnlyList<AirflowTaskInstance>>($"tasks {runId}", () => Tasks.GetValueOrDefault(runId) ?? []);

    public Task<AirflowLogPage> GetLogAsync(string dagId, string runId, string taskId, int tryNumber, string? continuationToken = null, CancellationToken cancellationToken = default) =>
        Answer($"log {taskId} {tryNumber} {continuationToken}", () => LogPages[continuationToken is null ? 0 : int.Parse(continuationToken)]);

    public Task<int> ClearFailedTasksAsync(string dagId, string runId, CancellationToken cancellationToken = default) =>
        Answer($"clear {runId}", () =>
        {
            var tasks = Tasks.GetValueOrDefault(runId) ?? [];
            Tasks[runId] = tasks.Select(t => t.IsFailed ? t with { State = ClearedTasksEndAs, TryNumber = t.TryNumber + 1 } : t).ToArray();
            return tasks.Count(t => t.IsFailed);
        });

    /// <summary>A run's state follows its tasks, as Airflow's scheduler would set it.</summary>
    private string RunState(string runId)
    {
        var tasks = Tasks.GetValueOrDefault(runId) ?? [];
        return tasks.Length > 0 && tasks.All(t => t.State == "success") ? "success"
            : tasks.Any(t => t.IsFailed) && tasks.All(t => t.State is "success" or "failed" or "upstream_failed") ? "failed"
            : "running";
    }
}
