namespace Cord19.Core.Airflow;

/// <summary>Stands in when no Airflow is configured (the local target needs none): every call says how to configure one.</summary>
public sealed class UnconfiguredAirflowClient : IAirflowClient
{
    public const string Message =
        $"No Airflow is configured. Set {AirflowOptions.UrlVariable} (with {AirflowOptions.UserVariable} and {AirflowOptions.PasswordVariable}) " +
        "to an Airflow 2 or 3 webserver, start the one in docker-compose.yml (which sets them), or run phase 1 on the AWS target, " +
        "whose Airflow is then used. The local target runs the pipeline without Airflow.";

    private static Task<T> No<T>() => Task.FromException<T>(new AirflowException(AirflowProblem.NotConfigured, Message));

    public Task<AirflowServer> GetServerAsync(CancellationToken cancellationToken = default) => No<AirflowServer>();
    public Task<AirflowHealth> GetHealthAsync(CancellationToken cancellationToken = default) => No<AirflowHealth>();
    public Task<IReadOnlyList<AirflowDag>> ListDagsAsync(CancellationToken cancellationToken = default) => No<IReadOnlyList<AirflowDag>>();
    public Task<AirflowDag> SetPausedAsync(string dagId, bool paused, CancellationToken cancellationToken = default) => No<AirflowDag>();
    public Task<AirflowDagRun> TriggerAsync(string dagId, AirflowTrigger trigger, CancellationToken cancellationToken = default) => No<AirflowDagRun>();
    public Task<IReadOnlyList<AirflowDagRun>> ListRunsAsync(string dagId, int limit = 25, CancellationToken cancellationToken = default) => No<IReadOnlyList<AirflowDagRun>>();
    public Task<AirflowDagRun> GetRunAsync(string dagId, string runId, CancellationToken cancellationToken = default) => No<AirflowDagRun>();
    public Task<IReadOnlyList<AirflowTaskInstance>> ListTasksAsync(string dagId, string runId, CancellationToken cancellationToken = default) => No<IReadOnlyList<AirflowTaskInstance>>();
    public Task<AirflowLogPage> GetLogAsync(string dagId, string runId, string taskId, int tryNumber, string? continuationToken = null, CancellationToken cancellationToken = default) => No<AirflowLogPage>();
    public Task<int> ClearFailedTasksAsync(string dagId, string runId, CancellationToken cancellationToken = default) => No<int>();
}
