using System.Threading.Channels;

namespace Cord19.Core.Airflow;

/// <summary>
/// Follows DAG runs for the pages: one poller per run however many browsers watch it, started by the first
/// watcher and stopped with the last, so Airflow sees one request every few seconds, not one per tab. A failed
/// look backs off (doubling to a minute) instead of hammering a struggling Airflow.
/// </summary>
public sealed class AirflowRunWatcher(IAirflowClient airflow, TimeProvider clock, AirflowRunWatcher.Timing? timing = null) : IDisposable
{
    public sealed record Timing(TimeSpan Active, TimeSpan Finished, TimeSpan MaxBackoff)
    {
        public static Timing Default { get; } = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
    }

    private readonly Timing _timing = timing ?? Timing.Default;
    private readonly IAirflowClient _airflow = airflow;
    private readonly TimeProvider _clock = clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Dag, string Run), Poller> _pollers = [];

    /// <summary>The latest snapshot (if any) at once, then each new one until <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<AirflowRunSnapshot> WatchAsync(string dagId, string runId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Capacity one, oldest dropped: a slow page skips to the newest look, which is all it would show anyway.
        var inbox = Channel.CreateBounded<AirflowRunSnapshot>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        var poller = Acquire(dagId, runId, inbox);
        try
        {
            await foreach (var snapshot in inbox.Reader.ReadAllAsync(cancellationToken))
                yield return snapshot;
        }
        finally
        {
            Release(poller, inbox);
        }
    }

    /// <summary>Look now rather than at the next tick (after a trigger or a retry from this panel).</summary>
    public void Refresh(string dagId, string runId)
    {
        lock (_gate)
            if (_pollers.TryGetValue((dagId, runId), out var poller)) poller.Wake();
    }

    /// <summary>How many runs are polled right now (one per run, whatever the number of watchers).</summary>
    public int ActivePollers { get { lock (_gate) return _pollers.Count; } }

    private Poller Acquire(string dagId, string runId, Channel<AirflowRunSnapshot> inbox)
    {
        lock (_gate)
        {
            if (!_pollers.TryGetValue((dagId, runId), out var poller))
            {
                poller = new Poller(this, dagId, runId);
                _pollers[(dagId, runId)] = poller;
                poller.Start();
            }
            poller.Add(inbox);
            return poller;
        }
    }

    private void Release(Poller poller, Channel<AirflowRunSnapshot> inbox)
    {
        lock (_gate)
        {
            if (poller.Remove(inbox) > 0) return;
            _pollers.Remove((poller.DagId, poller.RunId));
        }
        poller.Stop();
    }

    public void Dispose()
    {
        Poller[] all;
        lock (_gate)
        {
            all = [.. _pollers.Values];
            _pollers.Clear();
        }
        foreach (var poller in all) poller.Stop();
    }

    private sealed class Poller(AirflowRunWatcher owner, string dagId, string runId)
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly SemaphoreSlim _wake = new(0, 1);

        public string DagId => dagId;
        public string RunId => runId;
        private readonly Lock _inboxesGate = new();
        private List<Channel<AirflowRunSnapshot>> _inboxes = [];
        private AirflowRunSnapshot? _latest;

        /// <summary>A new watcher gets the latest look at once (under the same lock as publishing: nothing missed, nothing twice).</summary>
        public void Add(Channel<AirflowRunSnapshot> inbox)
        {
            lock (_inboxesGate)
            {
                _inboxes = [.. _inboxes, inbox];
                if (_latest is { } latest) inbox.Writer.TryWrite(latest);
            }
        }

        /// <summary>Returns how many watchers remain.</summary>
        public int Remove(Channel<AirflowRunSnapshot> inbox)
        {
            lock (_inboxesGate)
            {
                _inboxes = _inboxes.Where(i => i != inbox).ToList();
                return _inboxes.Count;
            }
        }

        private void Publish(AirflowRunSnapshot snapshot)
        {
            lock (_inboxesGate)
            {
                _latest = snapshot;
                foreach (var inbox in _inboxes) inbox.Writer.TryWrite(snapshot);
            }
        }

        public void Start() => _ = Task.Run(LoopAsync);

        public void Stop() => _stop.Cancel();

        public void Wake()
        {
            if (_wake.CurrentCount == 0) _wake.Release();
        }

        private async Task LoopAsync()
        {
            var failures = 0;
            while (!_stop.IsCancellationRequested)
            {
                var snapshot = await LookAsync();
                failures = snapshot.Problem is null ? 0 : failures + 1;
                Publish(snapshot);
                var timing = owner._timing;
                var wait = failures > 0
                    ? TimeSpan.FromTicks(Math.Min(timing.MaxBackoff.Ticks, timing.Active.Ticks << Math.Min(failures, 16)))
                    : snapshot.Run?.IsFinished == true ? timing.Finished : timing.Active;
                try
                {
                    using var delay = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    await Task.WhenAny(Task.Delay(wait, owner._clock, delay.Token), _wake.WaitAsync(delay.Token));
                    delay.Cancel();
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private async Task<AirflowRunSnapshot> LookAsync()
        {
            try
            {
                var run = await owner._airflow.GetRunAsync(dagId, runId, _stop.Token);
                var tasks = await owner._airflow.ListTasksAsync(dagId, runId, _stop.Token);
                return new AirflowRunSnapshot(dagId, runId, run, tasks, owner._clock.GetUtcNow(), null);
            }
            catch (AirflowException ex)
            {
                return new AirflowRunSnapshot(dagId, runId, _latest?.Run, _latest?.Tasks ?? [], owner._clock.GetUtcNow(), ex.Message);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return _latest ?? new AirflowRunSnapshot(dagId, runId, null, [], owner._clock.GetUtcNow(), null);
            }
        }
    }
}
