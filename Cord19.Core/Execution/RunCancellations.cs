using System.Collections.Concurrent;

namespace Cord19.Core.Execution;

/// <summary>The runs executing in this process, so that de-allocation can stop them and wait until they have.</summary>
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

    /// <summary>Waits until every run other than <paramref name="except"/> has stopped, or the timeout passes.</summary>
    public async Task<bool> WaitForOthersAsync(Guid except, TimeSpan timeout)
    {
        var others = _active.Where(a => a.Key != except).Select(a => a.Value.Stopped.Task).ToList();
        if (others.Count == 0) return true;
        var all = Task.WhenAll(others);
        return await Task.WhenAny(all, Task.Delay(timeout)) == all;
    }

    public sealed class Registration(RunCancellations owner, Guid runId, Entry entry) : IDisposable
    {
        public CancellationToken Token => entry.Source.Token;

        public void Dispose()
        {
            owner._active.TryRemove(runId, out _);
            entry.Stopped.TrySetResult();
            entry.Source.Dispose();
        }
    }

    public sealed record Entry(CancellationTokenSource Source)
    {
        public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
