using Cord19.Core.Costs;

namespace Cord19.Web.Jobs;

/// <summary>Ticks the cost meter once a second for as long as the app runs.</summary>
public sealed class CostMeterLoop(CostMeterService meter, TimeProvider clock, ILogger<CostMeterLoop> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await meter.TickAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failed tick (say, the database briefly locked) must not stop the meter for good.
                logger.LogError(ex, "The cost meter could not price the deployment this second.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
