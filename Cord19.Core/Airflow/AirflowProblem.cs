namespace Cord19.Core.Airflow;

public enum AirflowProblem
{
    NotConfigured,
    Unreachable,
    /// <summary>The server's certificate is not the pinned one: nothing was sent.</summary>
    UntrustedCertificate,
    TimedOut,
    NotAirflow,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Invalid,
    ServerError,
}

/// <summary>Airflow said no or could not be asked; the message names the cause and the fix, fit to show on a page.</summary>
public sealed class AirflowException(AirflowProblem problem, string message, int? status = null, Exception? inner = null)
    : Cord19Exception(message, inner)
{
    public AirflowProblem Problem { get; } = problem;
    /// <summary>Airflow's HTTP status, when it answered.</summary>
    public int? Status { get; } = status;

    /// <summary>
    /// Airflow refusing the server's credentials is an upstream problem (502), never a 401/403 of the panel's API: those
    /// would tell the browser that its own sign-in failed.
    /// </summary>
    public override FailureKind Failure => Problem switch
    {
        AirflowProblem.NotConfigured => FailureKind.Unavailable,
        AirflowProblem.TimedOut => FailureKind.UpstreamTimeout,
        AirflowProblem.NotFound => FailureKind.NotFound,
        AirflowProblem.Conflict => FailureKind.Conflict,
        AirflowProblem.Invalid => FailureKind.Unusable,
        _ => FailureKind.Upstream,
    };

    public override string Title => $"Airflow: {Problem}";

    public override IReadOnlyDictionary<string, object?> Details =>
        new Dictionary<string, object?> { ["problem"] = Problem.ToString(), ["airflowStatus"] = Status };
}
