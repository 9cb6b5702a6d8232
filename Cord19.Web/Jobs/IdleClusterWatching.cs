using Cord19.Core.Targets.Aws;

namespace Cord19.Web.Jobs;

/// <summary>
/// Every <see cref="IdleClusterGuard.Interval"/> while the app runs, pauses the live AWS deployment's cluster if it runs
/// with no phase 2 to use it (start-up reconciliation makes the first look).
/// </summary>
public sealed class IdleClusterWatching(IdleClusterGuard guard, TimeProvider clock, ILogger<IdleClusterWatching> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundLook.EveryAsync(IdleClusterGuard.Interval, firstAtOnce: false, clock, "Looking at the AWS deployment's cluster", LookAsync, logger, stoppingToken);

    private async Task LookAsync(CancellationToken ct)
    {
        if (await guard.CheckAsync(ct))
            logger.LogWarning("The live AWS deployment's Redshift cluster ran with no phase 2 to use it: paused.");
    }
}
