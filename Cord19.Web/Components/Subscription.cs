namespace Cord19.Web.Components;

/// <summary>
/// A live view's hold on one stream of changes (deployment changes, cost snapshots, an Airflow run, AWS status):
/// started once its component is interactive (never during the prerender), each item applied on the component's
/// renderer, then one render at most per interval (the last change always rendered), stopped when disposed.
/// Components get one from <c>LiveComponent.Subscribe</c>; this is the only place live views throttle.
/// </summary>
public sealed class Subscription : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<CancellationToken, Task> _follow;
    private readonly RenderThrottle _render;
    private readonly Func<Exception, Task> _fail;
    private int _started;

    private Subscription(Func<CancellationToken, Task> follow, RenderThrottle render, Func<Exception, Task> fail)
    {
        _follow = follow;
        _render = render;
        _fail = fail;
    }

    public bool IsDisposed => _stop.IsCancellationRequested;

    /// <param name="invoke">The component's InvokeAsync: items are applied on its renderer.</param>
    /// <param name="render">Renders the component (its StateHasChanged, through InvokeAsync).</param>
    /// <param name="fail">
    /// Where a failure of the stream or of applying an item goes (the component's DispatchExceptionAsync, so that its page's
    /// error boundary says so): the stream is not followed any more, and the page must not stand as if it were live.
    /// </param>
    internal static Subscription Create<T>(Func<CancellationToken, IAsyncEnumerable<T>> source, Func<T, Task> apply,
        Func<Func<Task>, Task> invoke, Func<Task> render, TimeSpan interval, Func<Exception, Task> fail)
    {
        var throttle = new RenderThrottle(render, interval);
        return new Subscription(async stop =>
        {
            await foreach (var item in source(stop).WithCancellation(stop))
            {
                await invoke(() => apply(item));
                throttle.Request();
            }
        }, throttle, fail);
    }

    /// <summary>Starts following (once; later calls do nothing).</summary>
    internal void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0 && !IsDisposed) _ = FollowAsync();
    }

    private async Task FollowAsync()
    {
        try
        {
            await _follow(_stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The component went away (navigation, closed circuit) or switched to another stream.
        }
        catch (Exception ex) when (!_stop.IsCancellationRequested)
        {
            await _fail(ex);
        }
    }

    public void Dispose()
    {
        if (IsDisposed) return;
        _stop.Cancel();
        _render.Dispose();
        _stop.Dispose();
    }
}
