using Cord19.Core.Airflow;

namespace Cord19.Tests.Support.Aws;

/// <summary>
/// PyPI at the panel's seam (<see cref="IAirflowReleaseIndex"/>): by default every asked version is released, with no
/// known vulnerabilities, and is the latest. <see cref="Answer"/> scripts another answer; null makes PyPI unreachable.
/// </summary>
public sealed class FakeAirflowReleaseIndex : IAirflowReleaseIndex
{
    public Func<string, AirflowReleaseFacts?> Answer { get; set; } = version => new AirflowReleaseFacts(version, true, null, [], version);

    public List<string> Asked { get; } = [];

    public Task<AirflowReleaseFacts> LookUpAsync(string version, CancellationToken ct)
    {
        lock (Asked) Asked.Add(version);
        return Answer(version) is { } facts
            ? Task.FromResult(facts)
            : Task.FromException<AirflowReleaseFacts>(new PackageIndexUnreachableException("Could not ask PyPI (https://pypi.org) about Apache Airflow: NameResolutionError: no such host.", "Check this machine's network."));
    }
}
