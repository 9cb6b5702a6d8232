namespace Cord19.Web.Components;

/// <summary>
/// Coalesces bursts of changes into at most one render per interval, so a phase that logs hundreds of lines
/// a second does not flood the circuit. A change after a quiet interval renders at once: a status pushed from
/// another browser should not wait out an interval nothing else used. A change inside the interval waits for its
/// end and is rendered with every change that came meanwhile. The last change is always rendered.
/// </summary>
internal sealed class RenderThrottle(Func<Task> render, TimeSpan interval, TimeProvider? clock = null) : IDisposable
{
    public static readonly TimeSpan Default = TimeSpan.FromMilliseconds(150);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private long? _lastRender;
    private bool _scheduled;
    private bool _disposed;

    public void Request()
    {
        TimeSpan wait;
        lock (_gate)
        {
            if (_scheduled || _disposed) return;
            _scheduled = true;
            wait = _lastRender is { } last ? interval - _clock.GetElapsedTime(last) : TimeSpan.Zero;
        }
        _ = RenderAfterAsync(wait);
    }

    private async Task RenderAfterAsync(TimeSpan wait)
    {
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _clock);
        lock (_gate)
        {
            _scheduled = false;
            if (_disposed) return;
            _lastRender = _clock.GetTimestamp();
        }
        await render();
    }

    public void Dispose()
    {
        lock (_gate) _disposed = true;
    }
}
