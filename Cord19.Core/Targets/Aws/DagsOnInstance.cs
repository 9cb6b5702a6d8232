using Cord19.Core.Deployments;
using Cord19.Core.Phases;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Whether phase 3 has set up the deployment's instance. A replacement (after a spot interruption) starts with an empty
/// Airflow: phase 3's last success began before it was launched, on the instance it replaced.
/// </summary>
public static class DagsOnInstance
{
    /// <summary>When phase 3 last succeeded in starting, if that was before <paramref name="instance"/>'s launch; else null.</summary>
    public static DateTime? InstalledBeforeLaunch(InstanceState instance, IEnumerable<PhaseRun> runs) =>
        runs.Where(r => r.PhaseNumber == 3 && r.Status == PhaseStatus.Succeeded && r.StartedAt is not null).MaxBy(r => r.StartedAt)?.StartedAt is { } at
        && instance.LaunchedAt is { } launched && new DateTimeOffset(at, TimeSpan.Zero) < launched
            ? at
            : null;

    /// <summary>
    /// The same question asked of the ledger alone, so the phase cards need no call to AWS: when the live instance's entry
    /// was recorded, if that was after phase 3's latest run, a success, began; else null. The entry is recorded just before
    /// the launch, and no phase runs between the two, so it answers as <see cref="InstalledBeforeLaunch"/> does. A latest
    /// phase 3 that did not succeed needs no answer: the order rules already hold phases 4 to 6 back.
    /// </summary>
    public static DateTime? ReplacedAfterSetUp(IEnumerable<ResourceView> ledger, PhaseRunView? latestPhaseThree) =>
        latestPhaseThree is { Status: PhaseStatus.Succeeded, StartedAt: { } setUp }
        && ledger.Where(r => r.Kind == AwsResourceKinds.Instance && r.DeletedAt is null).MaxBy(r => r.CreatedAt) is { } live
        && live.CreatedAt > setUp
            ? live.CreatedAt
            : null;
}
