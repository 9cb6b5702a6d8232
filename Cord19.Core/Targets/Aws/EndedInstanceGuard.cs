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
/// <see cref="IdleClusterGuard.Interval"/> while it runs.
/// </summary>
public sealed class EndedInstanceGuard(IAwsCloudFactory clouds, DeploymentStore store, SettingsStore settingsStore, TimeProvider clock)
{
    /// <summary>EC2 reports CPU every 5 minutes while an instance runs: its last reading's period, at most, follows it.</summary>
    public static readonly TimeSpan ReadingPeriod = TimeSpan.FromMinutes(5);

    /// <summary>One look; true when it stopped metering the instance. Throws <see cref="Cord19Exception"/> when AWS cannot be asked.</summary>
    public async Task<bool> CheckAsync(CancellationToken ct)
    {
        if (await LiveAwsDeployment.ReadAsync(store, settingsStore, ct) is not var (deployment, runs, settings)) return false;
        // Phase 1 records the instance before launching it, and phase 7 ends its entry itself.
        if (runs.Any(r => r.Status == PhaseStatus.Running && r.PhaseNumber is Phase.First or Phase.Deallocation)) return false;
        if (deployment.Resources.FirstOrDefault(r => r.DeletedAt is null && r.Kind == AwsResourceKinds.Instance) is not { } instance) return false;
        return await clouds.WithCloudAsync(settings.AwsRegion, cloud => StopMeteringIfEndedAsync(cloud, deployment.Id, ResourceView.From(instance), runs, ct));
    }

    /// <summary>The look itself, with the deployment's cloud (start-up reconciliation has it at hand).</summary>
    internal async Task<bool> StopMeteringIfEndedAsync(IAwsCloud cloud, Guid deploymentId, ResourceView entry, IReadOnlyList<PhaseRun> runs, CancellationToken ct)
    {
        var instance = await cloud.FindInstanceAsync(deploymentId, ct);
        if (instance is { State: not "terminated" }) return false;
        // Without a time from EC2 (a spot interruption may give none, and EC2 lists a terminated instance for about an
        // hour only), CloudWatch's readings say until when it ran.
        DateTimeOffset? lastReading = null;
        var datedByEc2 = instance?.EndStatedAt is not null || instance is { EndedItself: true } && InstanceEndOfLife.Deadline(instance, runs) is not null;
        if (!datedByEc2 && (instance?.InstanceId ?? InstanceId(entry)) is { } id)
        {
            try
            {
                lastReading = await cloud.LastCpuReadingAsync("AWS/EC2", "InstanceId", id, new DateTimeOffset(entry.CreatedAt, TimeSpan.Zero), ct);
            }
            catch (Cord19Exception)
            {
                // Its readings stay for weeks: keep metering it and ask at the next look, rather than date its end by this one.
                return false;
            }
        }
        var (until, evidence) = MeteredUntil(instance, lastReading, runs, clock.GetUtcNow());
        await store.MarkResourceDeletedAsync(entry.Id, until.UtcDateTime, ct);
        var why = instance is null ? "AWS does not list it any more" : $"the instance {instance.InstanceId} is {instance.State}: {instance.EndedBecause}";
        if (runs.Where(r => r.StartedAt is not null).MaxBy(r => r.StartedAt) is { } latest)
            await store.AppendLogAsync(latest.Key, LogLevel.Warning, "instance-ended",
                $"Stopped metering {entry.Kind} {entry.Locator} (and its volume and address): {why}. Metered until {until.UtcDateTime:yyyy-MM-dd HH:mm} UTC, {evidence}.", ct: ct);
        return true;
    }

    /// <summary>
    /// Until when an ended instance is metered: the time EC2 states for its end, else its own deadline if it ended
    /// itself, else its last CPU reading's period, each with <see cref="InstanceEndOfLife.Slack"/> for the shutdown and
    /// termination; else now. Never later than now. Also what the line in the log says of it.
    /// </summary>
    public static (DateTimeOffset Until, string Evidence) MeteredUntil(InstanceState? instance, DateTimeOffset? lastReading, IReadOnlyList<PhaseRun> runs,
        DateTimeOffset now)
    {
        var slack = $"and {InstanceEndOfLife.Slack.TotalMinutes:0} minutes for its shutdown and termination";
        (DateTimeOffset At, string Evidence)? found =
            instance?.EndStatedAt is { } stated ? (stated + InstanceEndOfLife.Slack, $"the time EC2 gives for its end {slack}")
            : instance is { EndedItself: true } && InstanceEndOfLife.Deadline(instance, runs) is { } deadline
                ? (deadline + InstanceEndOfLife.Slack, $"its maximum lifetime's deadline {slack}")
            : lastReading is { } reading ? (reading + ReadingPeriod + InstanceEndOfLife.Slack, $"the end of its last CPU reading in CloudWatch {slack}")
            : null;
        return found switch
        {
            { } f when f.At < now => f,
            { } f => (now, $"now, as {f.Evidence} is not past yet"),
            null => (now, "now: AWS gives no time it stopped billing by"),
        };
    }

    /// <summary>The instance id phase 1 writes first in the ledger's description once EC2 names it (<see cref="Description"/>).</summary>
    public static string? InstanceId(ResourceView entry) =>
        entry.Description is { } d && d.StartsWith("i-", StringComparison.Ordinal) && d.IndexOf(':') is > 2 and var end ? d[..end] : null;

    public static string Description(string instanceId, string whatItIs) => $"{instanceId}: {whatItIs}";
}
