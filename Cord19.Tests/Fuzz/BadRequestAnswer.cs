using Cord19.Tests.Support;
using Cord19.Tests.Support.Airflow;

namespace Cord19.Tests.Fuzz;

/// <summary>What the answer to a bad request may never be, as the fuzz runs judge it.</summary>
public static class BadRequestAnswer
{
    /// <summary>
    /// Why this answer breaks the rules, or nothing: a 500 is the panel failing; a 502 to 504 names an upstream's failure
    /// (Airflow answering garbage) and must say so in a problem; no answer shows a stack trace or the access token.
    /// </summary>
    public static IEnumerable<string> Breaches(string request, int status, string body)
    {
        if (status == 500 || (status > 500 && !body.StartsWith("{\"type\"", StringComparison.Ordinal)))
            yield return $"{request}: {status} {body[..Math.Min(body.Length, 300)]}";
        if (body.Contains("   at ", StringComparison.Ordinal) || body.Contains(WebAppFactory.AccessToken, StringComparison.Ordinal))
            yield return $"{request}: internals in the answer";
    }

    /// <summary>The in-memory app, signed in to the Airflow at <paramref name="airflow"/> (one that answers wrongly).</summary>
    public static WebAppFactory AppWithAirflow(FaultServer airflow) =>
        new(settings: new Dictionary<string, string> { ["CORD19_AIRFLOW_URL"] = airflow.BaseUrl.ToString(), ["CORD19_AIRFLOW_USER"] = "admin", ["CORD19_AIRFLOW_PASSWORD"] = "x" });
}
