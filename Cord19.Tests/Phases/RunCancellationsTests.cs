using Cord19.Core.Execution;

namespace Cord19.Tests.Phases;

public sealed class RunCancellationsTests
{
    [Fact]
    public async Task Cancelling_a_run_that_ends_meanwhile_is_not_an_error()
    {
        // The relay cancels every run the state says was interrupted, including one whose runner on this instance has just
        // recorded that end and is letting go: a cancel between the relay's look-up and the cancel found its source
        // disposed, and the exception ended the relay, and with it the panel (a background service's failure stops the host).
        var cancellations = new RunCancellations();
        var runId = Guid.NewGuid();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var canceller = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) cancellations.Cancel(runId);
        });
        var runs = 0;
        while (!stop.IsCancellationRequested)
        {
            using var registration = cancellations.Register(runId, CancellationToken.None);
            runs++;
        }
        await canceller;
        Assert.True(runs > 1000, $"Only {runs} runs registered and ended: the race was hardly tried.");
    }

    [Fact]
    public void A_run_is_cancelled_while_registered_and_not_after()
    {
        var cancellations = new RunCancellations();
        var runId = Guid.NewGuid();
        var registration = cancellations.Register(runId, CancellationToken.None);
        Assert.True(cancellations.Cancel(runId));
        Assert.True(registration.Token.IsCancellationRequested);
        registration.Dispose();
        Assert.False(cancellations.Cancel(runId));
        Assert.Equal(0, cancellations.CancelAll("Stopped."));
    }
}
