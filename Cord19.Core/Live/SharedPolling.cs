using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Cord19.Core.Live;

/// <summary>
/// Polls something remote for the pages: one poller per key however many browsers watch it, started by the first
/// watcher and stopped with the last, so the remote side sees one request per interval, not one per tab. A failed
/// look backs off (doubling up to a cap) instead of hammering a struggling service. Used for Airflow runs and for
/// the AWS deployment status.
/// </summary>
/// <param name="look">One look; failures are reported inside the snapshot (the previous snapshot is passed in to keep its figures).</param>
/// <param name="failed">Whether a snapshot records a failed look.</param>
/// <param name="interval">The wait after a good look (e.g. shorter while something is still changing).</param>
/// <param name="backoffBase">The first wait after a failed look; doubled with each further failure.</param>
/// <param name="logger">Where a look that throws, instead of reporting its failure in the snapshot, is logged.</param>
public sealed class SharedPolling<TKey, TSnapshot>(
    Func<TKey, TSnapshot?, CancellationToken, Task<TSnapshot>> look,
    Func<TSnapshot, bool> failed,
    Func<TSnapshot, TimeSpan> interval,
    TimeSpan backoffBase,
    TimeSpan maxBackoff,
    TimeProvider clock,
    ILogger? logger = null) : IDisposable
    where TKey : notnull
    where TSnapshot : class
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, Poller> _pollers = [];

    /// <summary>The latest snapshot (if any) at once, then each new one until <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<TSnapshot> WatchAsync(TKey key, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Capacity one, oldest dropped: a slow page skips to the newest look, which is all it would show anyway.
        var inbox = Channel.CreateBounded<TSnapshot>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        var poller = Acquire(key, inbox);
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

    /// <summary>Look now rather than at the next tick.</summary>
    public void Refresh(TKey key)
    {
        lock (_gate)
            if (_pollers.TryGetValue(key, out var poller)) poller.Wake();
    }

    /// <summary>How many keys are polled right now (one poller per key, whatever the number of watchers).</summary>
    public int ActivePollers { get { lock (_gate) return _pollers.Count; } }

    private Poller Acquire(TKey key, Channel<TSnapshot> inbox)
    {
        lock (_gate)
        {
            if (!_pollers.TryGetValue(key, out var poller))
            {
                poller = new Poller(this, key);
                _pollers[key] = poller;
                poller.Start();
            }
            poller.Add(inbox);
            return poller;
        }
    }

    private void Release(Poller poller, Channel<TSnapshot> inbox)
    {
        lock (_gate)
        {
            if (poller.Remove(inbox) > 0) return;
            _pollers.Remove(poller.Key);
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

    private sealed class Poller(SharedPolling<TKey, TSnapshot> owner, TKey key)
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly SemaphoreSlim _wake = new(0, 1);
        private readonly Lock _inboxesGate = new();
        private List<Channel<TSnapshot>> _inboxes = [];
        private TSnapshot? _latest;

        public TKey Key => key;

        /// <summary>A new watcher gets the latest look at once (under the same lock as publishing: nothing missed, nothing twice).</summary>
        public void Add(Channel<TSnapshot> inbox)
        {
            lock (_inboxesGate)
            {
                _inboxes = [.. _inboxes, inbox];
                if (_latest is { } latest) inbox.Writer.TryWrite(latest);
            }
        }

        /// <summary>Returns how many watchers remain.</summary>
        public int Remove(Channel<TSnapshot> inbox)
        {
            lock (_inboxesGate)
            {
                _inboxes = _inboxes.Where(i => i != inbox).ToList();
                return _inboxes.Count;
            }
        }

        private void Publish(TSnapshot snapshot)
        {
            lock (_inboxesGate)
            {
                _latest = snapshot;
                foreach (var inbox in _inboxes) inbox.Writer.TryWrite(snapshot);
            }
        }

        /// <summary>
        /// Without the context of whoever watched first: the poller serves every watcher after them, and would otherwise
        /// keep that person's ambient state (their state database patience, say) for its whole life.
        /// </summary>
        public void Start()
        {
            using (ExecutionContext.SuppressFlow()) _ = Task.Run(LoopAsync);
        }

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
                TSnapshot snapshot;
                try
                {
                    snapshot = await owner._look(key, _latest, _stop.Token);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // A look should report its failures in the snapshot; one that throws (a timeout it did not expect, say)
                    // must not end the poller, or every page watching this key would keep its last snapshot for good.
                    owner._logger?.LogWarning(ex, "A look at {Key} failed unexpectedly; the watchers keep the last snapshot, and it is tried again.", key);
                    failures++;
                    if (!await WaitAsync(Backoff(failures))) return;
                    continue;
                }
                failures = owner._failed(snapshot) ? failures + 1 : 0;
                Publish(snapshot);
                if (!await WaitAsync(failures > 0 ? Backoff(failures) : owner._interval(snapshot))) return;
            }
        }

        /// <summary>The base after one failure, doubled with each further one, up to the cap.</summary>
        private TimeSpan Backoff(int failures) => TimeSpan.FromTicks(Math.Min(owner._maxBackoff.Ticks, owner._backoffBase.Ticks << Math.Min(failures - 1, 16)));

        /// <summary>Until the next look is due or someone asks for one now; false once the poller is stopped.</summary>
        private async Task<bool> WaitAsync(TimeSpan wait)
        {
            try
            {
                using var delay = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                await Task.WhenAny(Task.Delay(wait, owner._clock, delay.Token), _wake.WaitAsync(delay.Token));
                await delay.CancelAsync();
                return !_stop.IsCancellationRequested;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private readonly Func<TKey, TSnapshot?, CancellationToken, Task<TSnapshot>> _look = look;
    private readonly Func<TSnapshot, bool> _failed = failed;
    private readonly Func<TSnapshot, TimeSpan> _interval = interval;
    private readonly TimeSpan _backoffBase = backoffBase;
    private readonly TimeSpan _maxBackoff = maxBackoff;
    private readonly TimeProvider _clock = clock;
    private readonly ILogger? _logger = logger;
}
