using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Live;
using Cord19.Core.Phases;
using Cord19.Tests.Support;
using Cord19.Web.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cord19.Tests.Phases;

public sealed class RunCancellationRelayTests
{
    /// <summary>
    /// A run ended in the state while the change did not reach this instance (its listener had lost PostgreSQL, or the
    /// instance that ended it could not send): it went on running, making what the de-allocation that ended it deletes.
    /// Told to read again, the relay stops it, and only it.
    /// </summary>
    [Fact]
    public async Task Told_to_read_again_the_relay_stops_the_runs_here_that_the_state_says_have_ended()
    {
        await using var harness = await CoreHarness.StartAsync();
        var feed = harness.Services.GetRequiredService<IDeploymentFeed>();
        var cancellations = new RunCancellations();
        var ended = await harness.StartedWithoutAJobAsync(Phase.First);
        using var endedHere = cancellations.Register(ended.Id, CancellationToken.None);
        // Ended unseen: before the relay listens.
        Assert.True(await harness.Store.CompleteRunAsync(ended.Id, PhaseStatus.Interrupted, DeploymentStore.ReplacedByDeallocationReason));
        var running = await harness.StartedWithoutAJobAsync(Phase.First);
        using var runningHere = cancellations.Register(running.Id, CancellationToken.None);
        using var relay = new RunCancellationRelay(feed, cancellations, harness.Store, NullLogger<RunCancellationRelay>.Instance);
        await relay.StartAsync(CancellationToken.None);

        // Said until heard: the relay subscribes on its own thread, after its start has returned.
        await Until.TrueAsync(() =>
        {
            feed.Publish(ResourcesChanged.ReadAgain);
            return endedHere.Token.IsCancellationRequested;
        }, "the relay to stop the run the state says has ended");
        // Each pass read both; the one still running goes on.
        feed.Publish(ResourcesChanged.ReadAgain);
        await Task.Delay(200);
        Assert.False(runningHere.Token.IsCancellationRequested, "The relay stopped a run the state says is running.");
        await relay.StopAsync(CancellationToken.None);
    }
}
