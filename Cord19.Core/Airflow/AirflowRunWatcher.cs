using Cord19.Core.Live;
using Microsoft.Extensions.Logging;

namespace Cord19.Core.Airflow;

/// <summary>
/// Follows DAG runs for the pages, through <see cref="SharedPolling{TKey,TSnapshot}"/>: one poller per run however
/// many browsers watch it, backing off (doubling to a minute) while Airflow fails.
/// </summary>
public sealed class AirflowRunWatcher : IDisposable
{
    public sealed record Timing(TimeSpan Active, TimeSpan Finished, TimeSpan MaxBackoff)
    {
        public static Timing Default { get; } = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
    }

    private readonly IAirflowClient _airflow;
    private readonly TimeProvider _clock;
    private readonly SharedPolling<(string Dag, string Run), AirflowRunSnapshot> _polling;

    public AirflowRunWatcher(IAirflowClient airflow, TimeProvider clock, Timing? timing = null, ILogger<AirflowRunWatcher>? logger = null)
    {
        var t = timing ?? Timing.Default;
        _airflow = airflow;
        _clock = clock;
        _polling = new(LookAsync, s => s.Problem is not null, s => s.Run?.IsFinished == true ? t.Finished : t.Active, t.Active, t.MaxBackoff, clock, logger);
    }

    /// <summary>The latest snapshot (if any) at once, then each new one until <paramref name="cancellationToken"/> fires.</summary>
    public IAsyncEnumerable<AirflowRunSnapshot> WatchAsync(string dagId, string runId, CancellationToken cancellationToken) =>
        _polling.WatchAsync((dagId, runId), cancellationToken);

    /// <summary>Look now rather than at the next tick (after a trigger or a retry from this panel).</summary>
    public void Refresh(string dagId, string runId) => _polling.Refresh((dagId, runId));

    /// <summary>How many runs are polled right now (one per run, whatever the number of watchers).</summary>
    public int ActivePollers => _polling.ActivePollers;

    public void Dispose() => _polling.Dispose();

    private async Task<AirflowRunSnapshot> LookAsync((string Dag, string Run) key, AirflowRunSnapshot? previous, CancellationToken ct)
    {
        try
        {
            var run = await _airflow.GetRunAsync(key.Dag, key.Run, ct);
            var tasks = await _airflow.ListTasksAsync(key.Dag, key.Run, ct);
            return new AirflowRunSnapshot(key.Dag, key.Run, run, tasks, _clock.GetUtcNow(), null);
        }
        catch (AirflowException ex)
        {
            return new AirflowRunSnapshot(key.Dag, key.Run, previous?.Run, previous?.Tasks ?? [], _clock.GetUtcNow(), ex.Message);
        }
    }
}
