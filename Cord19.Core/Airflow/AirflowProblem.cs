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
    : Exception(message, inner)
{
    public AirflowProblem Problem { get; } = problem;
    /// <summary>Airflow's HTTP status, when it answered.</summary>
    public int? Status { get; } = status;
}
