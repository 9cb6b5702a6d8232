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
}
