namespace Cord19.Core;

/// <summary>
/// A failure a person can act on. Its message says what went wrong and what to do, fit to show as it is on a page, in
/// a step log or in an API answer (never a stack trace, never a third party's raw answer). Every such failure derives
/// from this type, so each boundary — the phase job, the API, a page's action — catches this one type.
/// </summary>
public abstract class Cord19Exception(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What kind of failure it is, for the API's status code.</summary>
    public abstract FailureKind Failure { get; }

    /// <summary>A short heading for the API's problem details.</summary>
    public abstract string Title { get; }

    /// <summary>Machine-readable details for the API (e.g. Airflow's own status), beside the message.</summary>
    public virtual IReadOnlyDictionary<string, object?> Details => new Dictionary<string, object?>();

    /// <summary>When trying again may work, for the API's Retry-After; null when waiting alone will not mend it.</summary>
    public virtual TimeSpan? RetryAfter => null;
}

public enum FailureKind
{
    /// <summary>The request or the configuration is wrong (400).</summary>
    Invalid,
    /// <summary>What was asked for does not exist (404).</summary>
    NotFound,
    /// <summary>Not possible in the present state (409).</summary>
    Conflict,
    /// <summary>Understood, but the content cannot be used (422).</summary>
    Unusable,
    /// <summary>A service the panel depends on (AWS, Airflow) refused or failed (502).</summary>
    Upstream,
    /// <summary>A service the panel depends on did not answer in time (504).</summary>
    UpstreamTimeout,
    /// <summary>Not set up here (503).</summary>
    Unavailable,
}
