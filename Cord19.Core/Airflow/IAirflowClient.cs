namespace Cord19.Core.Airflow;

/// <summary>The Airflow operations the control panel uses, the same for Airflow 2 (/api/v1) and 3 (/api/v2).</summary>
public interface IAirflowClient
{
    /// <summary>Airflow's version and which API it speaks.</summary>
    Task<AirflowServer> GetServerAsync(CancellationToken cancellationToken = default);
    Task<AirflowHealth> GetHealthAsync(CancellationToken cancellationToken = default);
    Task<IReadOnlyList<AirflowDag>> ListDagsAsync(CancellationToken cancellationToken = default);
    Task<AirflowDag> SetPausedAsync(string dagId, bool paused, CancellationToken cancellationToken = default);
    Task<AirflowDagRun> TriggerAsync(string dagId, AirflowTrigger trigger, CancellationToken cancellationToken = default);
    /// <summary>The newest runs first.</summary>
    Task<IReadOnlyList<AirflowDagRun>> ListRunsAsync(string dagId, int limit = 25, CancellationToken cancellationToken = default);
    Task<AirflowDagRun> GetRunAsync(string dagId, string runId, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<AirflowTaskInstance>> ListTasksAsync(string dagId, string runId, CancellationToken cancellationToken = default);
    Task<AirflowLogPage> GetLogAsync(string dagId, string runId, string taskId, int tryNumber, string? continuationToken = null, CancellationToken cancellationToken = default);
    /// <summary>Clears the run's failed tasks so the scheduler runs them again; returns how many were cleared.</summary>
    Task<int> ClearFailedTasksAsync(string dagId, string runId, CancellationToken cancellationToken = default);
}
