using Microsoft.AspNetCore.Components;

namespace Cord19.Web.Components;

/// <summary>
/// A component that shows live data: it subscribes to streams (<c>Subscribe</c>) at any time, and they
/// start once it is interactive and stop when it goes away.
/// </summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Subscription> _subscriptions = [];
    private bool _interactive;

    /// <summary>Fires when the component goes away (circuit closed, navigation).</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>
    /// Follows <paramref name="source"/>: each item is applied on the renderer, then the component renders, at most
    /// once per <paramref name="throttle"/> (150 ms unless given). Dispose the result to follow something else.
    /// </summary>
    protected Subscription Subscribe<T>(Func<CancellationToken, IAsyncEnumerable<T>> source, Func<T, Task> apply, TimeSpan? throttle = null)
    {
        _subscriptions.RemoveAll(s => s.IsDisposed);
        var subscription = Subscription.Create(source, apply, InvokeAsync, () => InvokeAsync(StateHasChanged), throttle ?? RenderThrottle.Default,
            DispatchExceptionAsync);
        _subscriptions.Add(subscription);
        if (_interactive) subscription.Start();
        return subscription;
    }

    protected Subscription Subscribe<T>(Func<CancellationToken, IAsyncEnumerable<T>> source, Action<T> apply, TimeSpan? throttle = null) =>
        Subscribe(source, item => { apply(item); return Task.CompletedTask; }, throttle);

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender || !RendererInfo.IsInteractive) return;
        _interactive = true;
        foreach (var subscription in _subscriptions.ToList()) subscription.Start();
    }

    public virtual void Dispose()
    {
        _stop.Cancel();
        foreach (var subscription in _subscriptions) subscription.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
