using Cord19.Core.Targets.Aws;

namespace Cord19.Web.Jobs;

/// <summary>
/// Once, just after start-up and off the start-up path (AWS may be slow or unreachable): makes the ledger of a live
/// AWS deployment agree with what its tags show, so a crash at any moment can be resumed or torn down, and pauses
/// a cluster left running with no phase 2 to use it. No credentials yet is normal: that is a warning.
/// </summary>
public sealed class AwsReconciliationAtStart(AwsReconciler reconciler, ILogger<AwsReconciliationAtStart> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundLook.OnceAsync("AWS reconciliation at start-up", reconciler.ReconcileAndLogAsync, logger, stoppingToken);
}
