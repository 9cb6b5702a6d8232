namespace Cord19.Web.Components;

/// <summary>How components follow a stream of changes: item by item, until their token ends it.</summary>
public static class Follow
{
    /// <summary>Hands each item to <paramref name="onItem"/>; returns quietly when <paramref name="stop"/> fires.</summary>
    public static async Task StreamAsync<T>(IAsyncEnumerable<T> stream, Func<T, Task> onItem, CancellationToken stop)
    {
        try
        {
            await foreach (var item in stream.WithCancellation(stop))
                await onItem(item);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
