using Cord19.Core.Airflow;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The checklist's line for the Airflow release the instance will install, from what PyPI says of it. Red for a release
/// PyPI does not have or has withdrawn, or that does not support the instance's Python (phase 1 refuses those before it
/// creates anything), and for one with known vulnerabilities; amber when a later release is out or PyPI could not be asked.
/// </summary>
public static class AirflowReleaseCheck
{
    public const string Name = "Airflow release";

    /// <param name="python">The instance's Python version; null when it is not known (an AMI of the operator's own).</param>
    public static CheckItem Judge(AirflowReleaseFacts facts, string? python)
    {
        var chosen = $"Apache Airflow {facts.Version}";
        var toLatest = $"Settings → Airflow version: {facts.Latest ?? "a release listed on pypi.org/project/apache-airflow"}.";
        if (!facts.Released)
            return new(Name, CheckOutcome.Failed,
                $"PyPI has no {chosen}, so the instance could not install it.{(facts.Latest is { } latest ? $" The latest release is {latest}." : "")}", toLatest);
        if (facts.Yanked)
            return new(Name, CheckOutcome.Failed,
                $"{chosen} was withdrawn from PyPI (yanked{(facts.YankedReason is { Length: > 0 } reason ? $": {reason}" : "")}).", toLatest);
        if (facts.Supports(python) == false)
            // pip's --constraint URL for that Python answers 404 (apache/airflow#21184), and the install stops there.
            return new(Name, CheckOutcome.Failed,
                $"{chosen} supports Python {Join(facts.Pythons!)} only, and the instance's Ubuntu 24.04 has Python {python}: Airflow publishes " +
                "no constraints file for that pair, so the instance's install would fail.",
                toLatest);
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
            $"{chosen} is on PyPI with no known vulnerabilities" +
            (facts.Supports(python) == true ? $", supports the instance's Python {python}" : "") +
            (facts.Latest == facts.Version ? ", and is its latest release" : "") + ".");
    }

    public static CheckItem Unreachable(PackageIndexUnreachableException ex) => new(Name, CheckOutcome.Warning, ex.Cause, ex.Fix);

    private static string Describe(KnownVulnerability v) =>
        $"{v.Id}{(v.Aliases.Count > 0 ? $" ({string.Join(", ", v.Aliases)})" : "")}{(v.FixedIn.Count > 0 ? $", fixed in {string.Join(", ", v.FixedIn)}" : "")}";

    private static string Join(IReadOnlyList<string> items) =>
        items.Count == 1 ? items[0] : $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}";

    private static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n} {many}";
}
