using Cord19.Core.Costs;

namespace Cord19.Web.Jobs;

/// <summary>Ticks the cost meter once a second for as long as the app runs; a failed tick does not stop the meter.</summary>
public sealed class CostMeterLoop(CostMeterService meter, TimeProvider clock, ILogger<CostMeterLoop> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundLook.EveryAsync(Interval, firstAtOnce: true, clock, "Pricing the deployment this second", meter.TickAsync, logger, stoppingToken);
}
