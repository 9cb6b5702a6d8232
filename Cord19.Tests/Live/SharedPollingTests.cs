using Cord19.Core.Deployments;
using Cord19.Core.Live;

namespace Cord19.Tests.Live;

public sealed class SharedPollingTests
{
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
