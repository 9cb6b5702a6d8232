using Cord19.Core;
using Cord19.Core.Targets.Aws;

namespace Cord19.Web.Jobs;

/// <summary>
/// Every <see cref="IdleClusterGuard.Interval"/> while the app runs, pauses the live AWS deployment's cluster if it runs
/// with no phase 2 to use it (start-up reconciliation makes the first look).
/// </summary>
public sealed class IdleClusterWatching(IdleClusterGuard guard, TimeProvider clock, ILogger<IdleClusterWatching> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(IdleClusterGuard.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await guard.CheckAsync(stoppingToken))
                    logger.LogWarning("The live AWS deployment's Redshift cluster ran with no phase 2 to use it: paused.");
            }
            catch (Cord19Exception ex)
            {
                // AWS unreachable or refusing for now: the next look tries again; phase 2's and phase 7's own logs say what bills.
                logger.LogWarning("Could not look at the AWS deployment's cluster: {Message}", ex.Message);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Anything else (the database briefly locked, a timeout) must not end the looks, nor the app with them.
                logger.LogError(ex, "The look at the AWS deployment's cluster failed.");
            }
        }
    }
}
