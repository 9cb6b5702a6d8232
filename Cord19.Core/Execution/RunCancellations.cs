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

    /// <summary>Asks the run to stop; true when it runs in this process.</summary>
    public bool Cancel(Guid runId)
    {
        if (!_active.TryGetValue(runId, out var entry)) return false;
        entry.Source.Cancel();
        return true;
    }

    /// <summary>Asks every run in this process to stop; how many there were.</summary>
    public int CancelAll()
    {
        var entries = _active.Values.ToList();
        foreach (var entry in entries)
        {
            try
            {
                entry.Source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // That run ended meanwhile.
            }
        }
        return entries.Count;
    }

    public sealed class Registration(RunCancellations owner, Guid runId, Entry entry) : IDisposable
    {
        public CancellationToken Token => entry.Source.Token;

        public void Dispose()
        {
            owner._active.TryRemove(runId, out _);
            entry.Source.Dispose();
        }
    }

    public sealed record Entry(CancellationTokenSource Source);
}
