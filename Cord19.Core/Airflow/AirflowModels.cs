using System.Text.Json.Nodes;

namespace Cord19.Core.Airflow;

// One shape for both API versions: the client maps v1's and v2's JSON onto these, so pages never branch on the version.

public sealed record AirflowServer(string Version, AirflowApiVersion Api);

/// <summary>Component statuses as Airflow reports them ("healthy", "unhealthy"); null when the server does not run that component.</summary>
public sealed record AirflowHealth(string? Metadatabase, string? Scheduler, string? Triggerer, string? DagProcessor)
{
    public bool IsHealthy => Metadatabase == "healthy" && Scheduler == "healthy";
}

public sealed record AirflowDag(string DagId, string DisplayName, bool IsPaused, string? Description, IReadOnlyList<string> Tags, bool HasImportErrors);

public sealed record AirflowDagRun(
    string DagId, string RunId, string State, DateTimeOffset? LogicalDate, DateTimeOffset? StartDate, DateTimeOffset? EndDate, JsonObject? Conf)
{
    public bool IsFinished => State is "success" or "failed";
}

public sealed record AirflowTaskInstance(string TaskId, string? State, int TryNumber, DateTimeOffset? StartDate, DateTimeOffset? EndDate, double? DurationSeconds)
{
    public bool IsFailed => State is "failed" or "upstream_failed";
}

public sealed record AirflowLogLine(DateTimeOffset? Timestamp, string? Level, string Text);

/// <summary>A page of a task's log; a non-null token asks for the rest (Airflow 2 serves long logs in pieces).</summary>
public sealed record AirflowLogPage(IReadOnlyList<AirflowLogLine> Lines, string? ContinuationToken);

/// <summary>What to send when triggering a run; a null run id lets Airflow choose one.</summary>
public sealed record AirflowTrigger(JsonObject Conf, string? RunId = null, string? Note = null);
