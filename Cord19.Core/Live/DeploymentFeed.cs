using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Cord19.Core.Live;

/// <summary>
/// The one change stream of the app: writers publish once, every open page (and any other listener) gets
/// its own copy. In-process only: the jobs run in the same process as the pages. A multi-instance setup
/// needs a cross-process bus behind this same interface.
/// </summary>
public interface IDeploymentFeed
{
    void Publish(DeploymentChange change);

    /// <summary>Changes published after the call, until <paramref name="cancellationToken"/> fires.</summary>
    IAsyncEnumerable<DeploymentChange> WatchAsync(CancellationToken cancellationToken);
}

public sealed class DeploymentFeed : IDeploymentFeed
{
    // A slow reader loses its oldest changes rather than holding memory or blocking a phase;
    // the page re-reads its snapshot on any status change, so a dropped log line is the worst case.
    private const int PerSubscriberCapacity = 2_000;

    private readonly Lock _gate = new();
    private ImmutableSubscribers _subscribers = ImmutableSubscribers.Empty;

    public void Publish(DeploymentChange change)
    {
        foreach (var channel in _subscribers.Items)
            channel.Writer.TryWrite(change);
    }

    public async IAsyncEnumerable<DeploymentChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<DeploymentChange>(new BoundedChannelOptions(PerSubscriberCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate) _subscribers = _subscribers.Add(channel);
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return change;
        }
        finally
        {
            lock (_gate) _subscribers = _subscribers.Remove(channel);
        }
    }

    /// <summary>Copy-on-write list so that Publish never takes the lock.</summary>
    private sealed record ImmutableSubscribers(Channel<DeploymentChange>[] Items)
    {
        public static ImmutableSubscribers Empty { get; } = new([]);
        public ImmutableSubscribers Add(Channel<DeploymentChange> c) => new([.. Items, c]);
        public ImmutableSubscribers Remove(Channel<DeploymentChange> c) => new(Items.Where(i => i != c).ToArray());
    }
}
