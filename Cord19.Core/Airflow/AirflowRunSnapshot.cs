namespace Cord19.Core.Airflow;

/// <summary>One look at a DAG run and its tasks; <see cref="Problem"/> says why the last look failed (the previous figures are kept).</summary>
public sealed record AirflowRunSnapshot(
    string DagId, string RunId, AirflowDagRun? Run, IReadOnlyList<AirflowTaskInstance> Tasks, DateTimeOffset At, string? Problem);
