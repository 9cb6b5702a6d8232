using Cord19.Core.Airflow;
using Cord19.Tests.Support.Airflow;

namespace Cord19.Tests.Airflow;

public sealed class AirflowRunWatcherTests
{
    private static readonly AirflowRunWatcher.Timing Quick = new(TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(400));

    private static FakeAirflowClient AirflowWithRun()
    {
        var airflow = new FakeAirflowClient();
        airflow.Runs["d"] = [new AirflowDagRun("d", "r", "running", null, null, null, null)];
        airflow.SetTasks("r", new AirflowTaskInstance("t", "running", 1, null, null, null));
        return airflow;
    }

    private static int Looks(FakeAirflowClient airflow) => airflow.Calls.Count(c => c == "run r");

    [Fact]
    public async Task Many_watchers_share_one_poller_that_stops_with_the_last()
    {
        var airflow = AirflowWithRun();
        using var watcher = new AirflowRunWatcher(airflow, TimeProvider.System, Quick);
        using var stop = new CancellationTokenSource();

        var seen = new int[5];
        var watching = Enumerable.Range(0, 5).Select(i => Task.Run(async () =>
        {
            try { await foreach (var _ in watcher.WatchAsync("d", "r", stop.Token)) seen[i]++; }
            catch (OperationCanceledException) { }
        })).ToArray();
        var watched = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(600);
        // Waited for, not timed: on a busy machine (CI's two cores under the whole suite) a watcher once had one
        // snapshot after 600 ms.
        while (Enumerable.Range(0, seen.Length).Any(i => Volatile.Read(ref seen[i]) < 2) && watched.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(20);
        Assert.Equal(1, watcher.ActivePollers);
        Assert.All(seen, n => Assert.True(n >= 2, $"each watcher got pushed snapshots ({n})"));
        // One poller: about one look per tick of the time watched, not one per watcher per tick.
        Assert.InRange(Looks(airflow), 2, (int)(watched.ElapsedMilliseconds / 40) + 3);

        await stop.CancelAsync();
        await Task.WhenAll(watching);
        Assert.Equal(0, watcher.ActivePollers);
        var after = Looks(airflow);
        await Task.Delay(200);
        Assert.InRange(Looks(airflow), after, after + 1);
    }

    [Fact]
    public async Task A_failing_airflow_is_asked_less_and_less_often_and_the_last_answer_kept()
    {
        var airflow = AirflowWithRun();
        using var watcher = new AirflowRunWatcher(airflow, TimeProvider.System, Quick);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(1_500));

        var snapshots = new List<AirflowRunSnapshot>();
        var failedAt = 0;
        try
        {
            await foreach (var snapshot in watcher.WatchAsync("d", "r", stop.Token))
            {
                snapshots.Add(snapshot);
                if (snapshots.Count == 2)
                {
                    airflow.Failure = new AirflowException(AirflowProblem.Unreachable, "Airflow at http://x is unreachable");
                    failedAt = Looks(airflow);
                }
            }
        }
        catch (OperationCanceledException) { }

        // At 40 ms a tick, 1.5 s of failures would be ~35 looks; doubling up to 400 ms makes it a handful.
        Assert.InRange(Looks(airflow) - failedAt, 2, 9);
        var failing = snapshots.Last();
        Assert.Equal("Airflow at http://x is unreachable", failing.Problem);
        Assert.Equal("running", failing.Run?.State);
        Assert.Single(failing.Tasks);
    }
}
