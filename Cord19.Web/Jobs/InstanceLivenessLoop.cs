using Cord19.Core.Execution;

namespace Cord19.Web.Jobs;

/// <summary>With several instances on PostgreSQL: this one says it is alive, and ends the phases of silent ones (<see cref="InstanceLiveness"/>).</summary>
public sealed class InstanceLivenessLoop(InstanceLiveness liveness, InstanceLivenessOptions options, TimeProvider clock, ILogger<InstanceLivenessLoop> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundLook.EveryAsync(options.Interval, firstAtOnce: false, clock, "Saying this instance is alive", liveness.LookAsync, logger, stoppingToken);
}
