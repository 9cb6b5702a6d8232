using Cord19.Core.Targets.Aws;

namespace Cord19.Web.Jobs;

/// <summary>
/// Every <see cref="ClusterGuard.Interval"/> while the app runs (start-up reconciliation makes the first look), looks
/// at the live AWS deployment: pauses its cluster if it runs with no phase 2 to use it, meters it right when it was
/// paused, resumed or deleted outside the panel (<see cref="ClusterGuard"/>), and stops metering its instance once AWS
/// has ended it. One failing look does not skip the other.
/// </summary>
public sealed class AwsDeploymentWatching(ClusterGuard clusterGuard, EndedInstanceGuard endedInstance, TimeProvider clock, ILogger<AwsDeploymentWatching> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundLook.EveryAsync(ClusterGuard.Interval, firstAtOnce: false, clock, "Looking at the AWS deployment", async ct =>
        {
            await BackgroundLook.OnceAsync("Looking at the AWS deployment's cluster", LookAtClusterAsync, logger, ct);
            await BackgroundLook.OnceAsync("Looking at the AWS deployment's instance", LookAtInstanceAsync, logger, ct);
        }, logger, stoppingToken);

    private async Task LookAtClusterAsync(CancellationToken ct)
    {
        if (await clusterGuard.CheckAsync(ct))
            logger.LogWarning("The live AWS deployment's Redshift cluster ran with no phase 2 to use it: paused.");
    }

    private async Task LookAtInstanceAsync(CancellationToken ct)
    {
        if (await endedInstance.CheckAsync(ct))
            logger.LogWarning("AWS has ended the live AWS deployment's instance: it is no longer metered (its run's log says why and until when).");
    }
}
