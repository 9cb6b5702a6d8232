using Cord19.Core.Airflow;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The checklist's line for the Airflow release the instance will install, from what PyPI says of it. Red for a release
/// PyPI does not have or has withdrawn (phase 1 refuses those before it creates anything) and for one with known
/// vulnerabilities; amber when a later release is out or PyPI could not be asked.
/// </summary>
public static class AirflowReleaseCheck
{
    public const string Name = "Airflow release";

    public static CheckItem Judge(AirflowReleaseFacts facts)
    {
        var chosen = $"Apache Airflow {facts.Version}";
        var toLatest = $"Settings → Airflow version: {facts.Latest ?? "a release listed on pypi.org/project/apache-airflow"}.";
        if (!facts.Released)
            return new(Name, CheckOutcome.Failed,
                $"PyPI has no {chosen}, so the instance could not install it.{(facts.Latest is { } latest ? $" The latest release is {latest}." : "")}", toLatest);
        if (facts.Yanked)
            return new(Name, CheckOutcome.Failed,
                $"{chosen} was withdrawn from PyPI (yanked{(facts.YankedReason is { Length: > 0 } reason ? $": {reason}" : "")}).", toLatest);
        if (facts.Vulnerabilities.Count > 0)
            return new(Name, CheckOutcome.Failed,
                $"PyPI lists {Count(facts.Vulnerabilities.Count, "known vulnerability", "known vulnerabilities")} in {chosen}: " +
                $"{string.Join("; ", facts.Vulnerabilities.Select(Describe))}. Airflow would serve it on port {AwsNames.AirflowPort} to the operator's address.",
                toLatest);
        if (facts.Superseded)
            return new(Name, CheckOutcome.Warning,
                $"{chosen} is on PyPI with no known vulnerabilities, but {facts.Latest} is out, and " +
                (facts.Version.StartsWith("2.", StringComparison.Ordinal)
                    ? $"Airflow 2 gets no fixes at all since its end of life on {Settings.PipelineSettings.AirflowTwoEndOfLife:yyyy-MM-dd}."
                    : "Airflow fixes bugs and security issues in its latest minor release."),
                toLatest);
        return new(Name, CheckOutcome.Passed,
            $"{chosen} is on PyPI with no known vulnerabilities{(facts.Latest == facts.Version ? ", and is its latest release" : "")}.");
    }

    public static CheckItem Unreachable(PackageIndexUnreachableException ex) => new(Name, CheckOutcome.Warning, ex.Cause, ex.Fix);

    private static string Describe(KnownVulnerability v) =>
        $"{v.Id}{(v.Aliases.Count > 0 ? $" ({string.Join(", ", v.Aliases)})" : "")}{(v.FixedIn.Count > 0 ? $", fixed in {string.Join(", ", v.FixedIn)}" : "")}";

    private static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n} {many}";
}
