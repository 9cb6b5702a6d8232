using Cord19.Core.Targets.Aws;

namespace Cord19.Web.Jobs;

/// <summary>Keeps the live AWS deployment's spot price current for the meter while the app runs.</summary>
public sealed class SpotPriceWatching(SpotPriceWatcher watcher, TimeProvider clock, ILogger<SpotPriceWatching> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundLook.EveryAsync(SpotPriceWatcher.Interval, firstAtOnce: true, clock, "Reading the live spot price", watcher.LookAsync, logger, stoppingToken);
}
