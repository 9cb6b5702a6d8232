using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Cord19.Core.Live;

/// <summary>
/// One writer, many readers, each with its own bounded queue: a slow reader loses its oldest items rather
/// than holding memory or blocking the writer.
/// </summary>
public class Broadcast<T>(int perSubscriberCapacity = 2_000)
{
    private readonly Lock _gate = new();
    private Channel<T>[] _subscribers = [];
    private long _published;

    /// <summary>How many items were published so far: lets a reader that caches ask "anything new?" without subscribing.</summary>
    public long Published => Interlocked.Read(ref _published);

    public void Publish(T item)
    {
        Interlocked.Increment(ref _published);
        foreach (var channel in Volatile.Read(ref _subscribers))
            channel.Writer.TryWrite(item);
    }

    /// <summary>Items published after the call, until <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<T> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(perSubscriberCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate) _subscribers = [.. _subscribers, channel];
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return item;
        }
        finally
        {
            lock (_gate) _subscribers = _subscribers.Where(c => c != channel).ToArray();
        }
    }
}
