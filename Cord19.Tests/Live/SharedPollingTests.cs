using Cord19.Core.Deployments;
using Cord19.Core.Live;
using Microsoft.Extensions.Logging.Testing;

namespace Cord19.Tests.Live;

public sealed class SharedPollingTests
{
    /// <summary>
    /// A look should report its failure in the snapshot; one that throws anyway (a timeout nobody expected) ended the
    /// poller before, and every page watching the key kept its last snapshot for good.
    /// </summary>
    [Fact]
    public async Task A_look_that_throws_is_logged_and_tried_again()
    {
        var looks = 0;
        var logger = new FakeLogger();
        using var polling = new SharedPolling<int, string>((_, _, _) =>
                ++looks == 1 ? throw new TimeoutException("The request was canceled due to the configured HttpClient.Timeout") : Task.FromResult("looked"),
            failed: _ => false, interval: _ => TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), TimeProvider.System, logger);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        string? seen = null;
        await foreach (var snapshot in polling.WatchAsync(1, stop.Token))
        {
            seen = snapshot;
            break;
        }

        Assert.Equal("looked", seen);
        var said = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, said.Level);
        Assert.IsType<TimeoutException>(said.Exception);
    }

    /// <summary>
    /// A poller serves every watcher after the first: it must not keep the first one's ambient state, such as a person's
    /// short patience with the state database (before, its looks had it for the poller's whole life).
    /// </summary>
    [Fact]
    public async Task A_poller_does_not_carry_the_first_watchers_patience()
    {
        var seen = new TaskCompletionSource<TimeSpan?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var polling = new SharedPolling<int, string>((_, _, _) =>
            {
                seen.TrySetResult(StateDatabasePatience.Current);
                return Task.FromResult("looked");
            },
            failed: _ => false, interval: _ => TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeProvider.System);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        using (StateDatabasePatience.Within(StateDatabasePatience.OfPerson))
        {
            await foreach (var _ in polling.WatchAsync(1, stop.Token)) break;
        }

        Assert.Null(await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
