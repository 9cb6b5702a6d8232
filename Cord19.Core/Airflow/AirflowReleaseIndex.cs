namespace Cord19.Core.Airflow;

/// <summary>
/// What the Python Package Index says of an Apache Airflow release, asked before the AWS target installs it: a
/// version PyPI does not have fails the instance's pip install only after the launch, and a release with known
/// vulnerabilities is served to the operator's address. Airflow fixes bugs and security issues in its latest minor
/// release, so which release is the latest matters too.
/// </summary>
public interface IAirflowReleaseIndex
{
    /// <exception cref="PackageIndexUnreachableException">PyPI could not be asked, or did not answer as its JSON API does.</exception>
    Task<AirflowReleaseFacts> LookUpAsync(string version, CancellationToken ct);
}

/// <param name="Released">False: PyPI has no such release of apache-airflow.</param>
/// <param name="YankedReason">Null unless the release was withdrawn (yanked); then the maintainers' reason, or "".</param>
/// <param name="Vulnerabilities">The known vulnerabilities PyPI lists for the release, those withdrawn left out.</param>
/// <param name="Latest">PyPI's latest release of apache-airflow; null when that could not be read.</param>
/// <param name="Pythons">
/// The Python versions the release supports ("3.12"), from its "Programming Language :: Python :: 3.x" classifiers:
/// Airflow publishes a constraints file for each of these only. Null or empty when the classifiers name none.
/// </param>
public sealed record AirflowReleaseFacts(
    string Version, bool Released, string? YankedReason, IReadOnlyList<KnownVulnerability> Vulnerabilities, string? Latest, IReadOnlyList<string>? Pythons = null)
{
    public bool Yanked => YankedReason is not null;

    /// <summary>
    /// Null when the release names no Python versions, or <paramref name="python"/> is not known (an image of the
    /// operator's own): then only the install itself can tell.
    /// </summary>
    public bool? Supports(string? python) => python is not null && Pythons is { Count: > 0 } listed ? listed.Contains(python) : null;

    /// <summary>
    /// False for a release PyPI cannot serve, one its maintainers withdrew, or one without <paramref name="python"/>
    /// (the instance's pip install fetches Airflow's constraints for its own Python): phase 1 does not launch those.
    /// </summary>
    public bool InstallableOn(string? python) => Released && !Yanked && Supports(python) != false;

    /// <summary>True when PyPI's latest release is a higher version number than this one.</summary>
    public bool Superseded => Latest is not null && System.Version.TryParse(Latest, out var latest) && System.Version.TryParse(Version, out var chosen) && latest > chosen;
}

/// <param name="Id">The advisory's id (PYSEC-…, GHSA-…); <paramref name="Aliases"/> holds its CVE numbers.</param>
public sealed record KnownVulnerability(string Id, IReadOnlyList<string> Aliases, IReadOnlyList<string> FixedIn);

/// <summary>PyPI could not be asked: <see cref="Cause"/> says why (never its raw answer), <see cref="Fix"/> what to do.</summary>
public sealed class PackageIndexUnreachableException(string cause, string fix, Exception? inner = null) : Cord19Exception($"{cause} {fix}", inner)
{
    public string Cause { get; } = cause;
    public string Fix { get; } = fix;
    public override FailureKind Failure => FailureKind.Upstream;
    public override string Title => "PyPI could not be asked";
}
