using Cord19.Core.Deployments;
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
/// <remarks>
/// When changes may have been missed (<see cref="ResourcesChanged.ReadAgain"/>: this instance's listener lost PostgreSQL,
/// or another instance could not send), each run executing here is read from the state: one ended meanwhile would
/// otherwise go on, making what the de-allocation that ended it deletes.
/// </remarks>
public sealed class RunCancellationRelay(IDeploymentFeed feed, RunCancellations cancellations, DeploymentStore store,
    ILogger<RunCancellationRelay> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in feed.WatchAsync(stoppingToken))
            {
                if (change is PhaseRunChanged { Run.Status: PhaseStatus.Interrupted } ended)
                    cancellations.Cancel(ended.Run.Id);
                else if (change == ResourcesChanged.ReadAgain)
                    await BackgroundLook.OnceAsync("Reading whether the runs executing here have ended", StopEndedRunsAsync, logger, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task StopEndedRunsAsync(CancellationToken ct)
    {
        foreach (var runId in cancellations.Running)
            if (await store.FindRunAsync(runId, ct) is { Status: not PhaseStatus.Running })
                cancellations.Cancel(runId);
    }
}
