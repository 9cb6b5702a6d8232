using Cord19.Core.Execution;
using Cord19.Core.Live;
using Cord19.Core.Phases;

namespace Cord19.Web.Jobs;

/// <summary>
/// Stops a run this instance executes once the state says it has ended: a de-allocation asked for on another instance
/// ends the running phase there, in the database, and only the instance executing it can stop it. On PostgreSQL the
/// change arrives through <see cref="IDeploymentFeed"/> (LISTEN/NOTIFY); on SQLite (one instance) the request has
/// already stopped it, and this does nothing more.
/// </summary>
public sealed class RunCancellationRelay(IDeploymentFeed feed, RunCancellations cancellations) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in feed.WatchAsync(stoppingToken))
                if (change is PhaseRunChanged { Run.Status: PhaseStatus.Interrupted } ended)
                    cancellations.Cancel(ended.Run.Id);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
