namespace Cord19.Web.Components;

/// <summary>
/// Coalesces bursts of changes into at most one render per interval, so a phase that logs hundreds of lines
/// a second does not flood the circuit. The last change is always rendered.
/// </summary>
internal sealed class RenderThrottle(Func<Task> render, TimeSpan interval) : IDisposable
{
    public static readonly TimeSpan Default = TimeSpan.FromMilliseconds(150);

    private readonly Lock _gate = new();
    private bool _scheduled;
    private bool _disposed;

    public void Request()
    {
        lock (_gate)
        {
            if (_scheduled || _disposed) return;
            _scheduled = true;
        }
        _ = RenderLaterAsync();
    }

    private async Task RenderLaterAsync()
    {
        await Task.Delay(interval);
        lock (_gate)
        {
            _scheduled = false;
            if (_disposed) return;
        }
        await render();
    }

    public void Dispose()
    {
        lock (_gate) _disposed = true;
    }
}
