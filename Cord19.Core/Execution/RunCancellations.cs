using System.Collections.Concurrent;

namespace Cord19.Core.Execution;

/// <summary>The runs executing in this process, so that a de-allocation can stop them.</summary>
public sealed class RunCancellations
{
    private readonly ConcurrentDictionary<Guid, Entry> _active = new();

    public Registration Register(Guid runId, CancellationToken hostStopping)
    {
        var entry = new Entry(CancellationTokenSource.CreateLinkedTokenSource(hostStopping));
        _active[runId] = entry;
        return new Registration(this, runId, entry);
    }

    /// <summary>The runs executing in this process now.</summary>
    public IReadOnlyList<Guid> Running => [.. _active.Keys];

    /// <summary>Asks the run to stop; true when it runs in this process.</summary>
    public bool Cancel(Guid runId) => _active.TryGetValue(runId, out var entry) && entry.TryCancel(reason: null);

    /// <summary>Asks every run in this process to stop, saying why in its end; how many had not been asked before.</summary>
    public int CancelAll(string reason)
    {
        var asked = 0;
        foreach (var entry in _active.Values)
            if (!entry.Source.IsCancellationRequested && entry.TryCancel(reason)) asked++;
        return asked;
    }

    public sealed class Registration(RunCancellations owner, Guid runId, Entry entry) : IDisposable
    {
        public CancellationToken Token => entry.Source.Token;

        /// <summary>Why it was cancelled, when whoever cancelled it said (<see cref="CancelAll"/>).</summary>
        public string? Reason => entry.Reason;

        public void Dispose()
        {
            owner._active.TryRemove(runId, out _);
            entry.Source.Dispose();
        }
    }

    public sealed class Entry(CancellationTokenSource source)
    {
        public CancellationTokenSource Source { get; } = source;
        public string? Reason { get; private set; }

        /// <summary>
        /// False when the run ended meanwhile: its runner disposes the source as it lets go, and a cancel that found it just
        /// before (the relay cancels every run the state says was interrupted, this one's own end included) must not throw.
        /// </summary>
        public bool TryCancel(string? reason)
        {
            try
            {
                if (reason is not null) Reason = reason;
                Source.Cancel();
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
