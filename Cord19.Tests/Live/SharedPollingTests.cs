using Cord19.Core.Deployments;
using Cord19.Core.Live;
using Cord19.Tests.Support;
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

    [Fact]
    public async Task Watchers_of_one_key_share_one_poller_which_stops_with_the_last()
    {
        var clock = new WaitRecordingClock();
        var looks = 0;
        using var polling = new SharedPolling<int, string>((_, _, _) => Task.FromResult($"look {Interlocked.Increment(ref looks)}"),
            failed: _ => false, interval: _ => TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), clock);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await using var first = polling.WatchAsync(1, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await first.MoveNextAsync());
        Assert.Equal("look 1", first.Current);
        Assert.Equal(TimeSpan.FromMinutes(1), await clock.Waits.Reader.ReadAsync(stop.Token));
        // A second watcher is given the latest look at once and asks for none of its own.
        await using var second = polling.WatchAsync(1, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await second.MoveNextAsync());
        Assert.Equal("look 1", second.Current);
        Assert.Equal(1, polling.ActivePollers);

        clock.Fake.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await first.MoveNextAsync());
        Assert.True(await second.MoveNextAsync());
        Assert.Equal(("look 2", "look 2"), (first.Current, second.Current));
        // Asked to look now (after a click), it does not wait for the tick.
        await clock.Waits.Reader.ReadAsync(stop.Token);
        polling.Refresh(1);
        Assert.True(await first.MoveNextAsync());
        Assert.Equal("look 3", first.Current);
        Assert.Equal(3, looks);

        await first.DisposeAsync();
        Assert.Equal(1, polling.ActivePollers);
        // The one left still gets every look.
        Assert.True(await second.MoveNextAsync());
        Assert.Equal("look 3", second.Current);
        clock.Fake.Advance(await clock.Waits.Reader.ReadAsync(stop.Token));
        Assert.True(await second.MoveNextAsync());
        Assert.Equal("look 4", second.Current);
        await second.DisposeAsync();
        Assert.Equal(0, polling.ActivePollers);
        // And with the last gone, nothing more is asked of the remote side.
        clock.Fake.Advance(TimeSpan.FromHours(1));
        polling.Refresh(1);
        await Task.Delay(200, stop.Token);
        Assert.Equal(4, Volatile.Read(ref looks));
    }

    /// <summary>The first wait after a failed look is the base, as documented (it was twice that), doubling to the cap.</summary>
    [Fact]
    public async Task Failed_looks_back_off_from_the_base_doubling_to_the_cap_and_a_good_look_resets_the_pace()
    {
        var clock = new WaitRecordingClock();
        var failing = 1;
        using var polling = new SharedPolling<int, string>((_, _, _) => Task.FromResult(Volatile.Read(ref failing) == 1 ? "failed" : "looked"),
            failed: s => s == "failed", interval: _ => TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), clock);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var watch = polling.WatchAsync(1, stop.Token).GetAsyncEnumerator(stop.Token);
        var watching = watch.MoveNextAsync();

        var waits = new List<double>();
        for (var look = 1; look <= 6; look++)
        {
            var wait = await clock.Waits.Reader.ReadAsync(stop.Token);
            waits.Add(wait.TotalSeconds);
            if (look == 5) Volatile.Write(ref failing, 0);
            clock.Fake.Advance(wait);
        }

        Assert.Equal([1, 2, 4, 8, 8, 60], waits);
        Assert.True(await watching);
    }
}
