using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using LogLevel = Cord19.Core.Deployments.LogLevel;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Stops metering the live AWS deployment's instance once AWS has ended it (its own lifetime, a spot interruption, a
/// person), dated by the best evidence AWS gives of when it stopped billing, never earlier than that evidence allows.
/// Without it the ledger kept the instance, its volume and its address live until phase 7 or the next start, so the
/// meters went on counting a machine that was gone. Start-up reconciliation asks once; the panel asks again every
/// <see cref="ClusterGuard.Interval"/> while it runs.
/// </summary>
public sealed class EndedInstanceGuard(IAwsCloudFactory clouds, DeploymentStore store, SettingsStore settingsStore, TimeProvider clock)
{
    /// <summary>One look; true when it stopped metering the instance. Throws <see cref="Cord19Exception"/> when AWS cannot be asked.</summary>
    public async Task<bool> CheckAsync(CancellationToken ct)
    {
        var live = await LiveAwsDeployment.ReadAsync(store, settingsStore, ct);
        if (live is null) return false;
        var (deployment, runs, settings) = live;
        // Phase 1 records the instance before launching it, and phase 7 ends its entry itself.
        if (runs.Any(r => r.Status == PhaseStatus.Running && r.PhaseNumber is Phase.First or Phase.Deallocation)) return false;
        var instance = deployment.Resources.FirstOrDefault(r => r.DeletedAt is null && r.Kind == AwsResourceKinds.Instance);
        if (instance is null) return false;
        return await clouds.WithCloudAsync(settings.AwsRegion, cloud => StopMeteringIfEndedAsync(cloud, deployment.Id, ResourceView.From(instance), runs, ct));
    }

    /// <summary>The look itself, with the deployment's cloud (start-up reconciliation has it at hand).</summary>
    internal async Task<bool> StopMeteringIfEndedAsync(IAwsCloud cloud, Guid deploymentId, ResourceView entry, IReadOnlyList<PhaseRun> runs, CancellationToken ct)
    {
        var instance = EntryInstance(await cloud.FindInstancesAsync(deploymentId, ct), entry);
        if (instance is { State: not "terminated" }) return false;
        // Without a time from EC2 (a spot interruption may give none, and EC2 lists a terminated instance for about an
        // hour only), CloudWatch's readings say until when it ran.
        DateTimeOffset? cpuReportedUntil = null;
        var id = instance?.InstanceId ?? InstanceEntry.InstanceId(entry.Description);
        if (DatedByEc2(instance, runs) is null && id is not null)
        {
            try
            {
                cpuReportedUntil = await cloud.CpuReportedUntilAsync("AWS/EC2", "InstanceId", id, new DateTimeOffset(entry.CreatedAt, TimeSpan.Zero), ct);
            }
            catch (Cord19Exception)
            {
                // Its readings stay for weeks: keep metering it and ask at the next look, rather than date its end by this one.
                return false;
            }
        }
        // EC2's listings are eventually consistent, and EC2 lists an ended instance for about an hour: one missing from a
        // look while CloudWatch still has its CPU from within the slack may well be running. It is looked at again, not
        // ended; once its readings stop, a later look dates its end by them just as this one would have.
        var now = clock.GetUtcNow();
        if (instance is null && cpuReportedUntil + InstanceEndOfLife.Slack >= now) return false;
        var (until, evidence) = MeteredUntil(instance, cpuReportedUntil, runs, now);
        await store.MarkResourceDeletedAsync(entry.Id, until.UtcDateTime, ct);
        var why = instance is null ? "AWS does not list it any more" : $"the instance {instance.InstanceId} is {instance.State}: {instance.EndedBecause}";
        if (runs.Where(r => r.StartedAt is not null).MaxBy(r => r.StartedAt) is { } latest)
            await store.AppendLogAsync(latest.Key, LogLevel.Warning, "instance-ended",
                $"Stopped metering {entry.Kind} {entry.Locator} (and its volume and address): {why}. Metered until {until.UtcDateTime:yyyy-MM-dd HH:mm} UTC, {evidence}.", ct: ct);
        return true;
    }

    /// <summary>
    /// The instance the entry recorded: the one launched under its token (its locator), since a replacement may be running
    /// beside an interrupted one; the deployment's newest where EC2 reports no tokens (an emulator).
    /// </summary>
    private static InstanceState? EntryInstance(IReadOnlyList<InstanceState> instances, ResourceView entry) =>
        instances.Any(i => i.ClientToken is not null)
            ? instances.FirstOrDefault(i => i.ClientToken == entry.Locator)
            : instances.FirstOrDefault(i => i.State != "terminated") ?? instances.FirstOrDefault();

    /// <summary>
    /// Until when an ended instance is metered: the time EC2 states for its end, else its own deadline if it ended
    /// itself (<see cref="DatedByEc2"/>), else the end of its last CPU reading, each with
    /// <see cref="InstanceEndOfLife.Slack"/> for the shutdown and termination; else now. Never later than now. Also what
    /// the line in the log says of it.
    /// </summary>
    public static (DateTimeOffset Until, string Evidence) MeteredUntil(InstanceState? instance, DateTimeOffset? cpuReportedUntil, IReadOnlyList<PhaseRun> runs,
        DateTimeOffset now)
    {
        var found = DatedByEc2(instance, runs)
            ?? (cpuReportedUntil is { } reported ? (reported, "the end of its last CPU reading in CloudWatch") : null);
        var slack = $"and {InstanceEndOfLife.Slack.TotalMinutes:0} minutes for its shutdown and termination";
        return found switch
        {
            var (at, evidence) when at + InstanceEndOfLife.Slack < now => (at + InstanceEndOfLife.Slack, $"{evidence} {slack}"),
            var (_, evidence) => (now, $"now, as {evidence} {slack} is not past yet"),
            null => (now, "now: AWS gives no time it stopped billing by"),
        };
    }

    /// <summary>When EC2 itself dates the end: the time in its transition reason, or the deadline of one that shut itself down.</summary>
    private static (DateTimeOffset At, string Evidence)? DatedByEc2(InstanceState? instance, IReadOnlyList<PhaseRun> runs) =>
        instance?.EndStatedAt is { } stated ? (stated, "the time EC2 gives for its end")
        : instance is { EndedItself: true } && InstanceEndOfLife.Deadline(instance, runs) is { } deadline ? (deadline, "its maximum lifetime's deadline")
        : null;
}
