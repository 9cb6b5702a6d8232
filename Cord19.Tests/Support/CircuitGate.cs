using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Cord19.Tests.Support;

/// <summary>
/// Holds what a page sends its circuit while closed, and sends it on, in order, once open. A test that must click in two
/// browsers "at once" closes both gates, clicks in both, and opens them together: both clicks reach the server within a
/// millisecond. Clicked one after the other, the second click met a button that the first one's push had just disabled
/// (a push is drawn at once since 2026-12-05), and MudBlazor ignores a click on a disabled button.
/// </summary>
public sealed partial class CircuitGate
{
    private readonly Lock _lock = new();
    private readonly Queue<Action> _held = [];
    private bool _closed;
    private TaskCompletionSource _somethingHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Routes the page's circuit through a new gate, open; call before the page is opened.</summary>
    public static async Task<CircuitGate> AttachAsync(IPage page)
    {
        var gate = new CircuitGate();
        await page.RouteWebSocketAsync(Circuit(), ws =>
        {
            // What the server sends goes on by itself; what the page sends is passed by hand. playwright-dotnet's frame
            // keeps no type (its Text is its Binary decoded), so every frame goes on as binary, which Blazor's circuit
            // (a binary protocol, MessagePack) reads, its handshake included.
            var server = ws.ConnectToServer();
            ws.OnMessage(frame => gate.Pass(() => server.Send(frame.Binary!)));
        });
        return gate;
    }

    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            if (_held.Count == 0) _somethingHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Completes once the closed gate holds a frame: what the page sent has left it.</summary>
    public Task SomethingHeld
    {
        get { lock (_lock) return _somethingHeld.Task; }
    }

    public void Open()
    {
        lock (_lock)
        {
            _closed = false;
            while (_held.TryDequeue(out var send)) send();
        }
    }

    private void Pass(Action send)
    {
        lock (_lock)
        {
            if (!_closed)
            {
                send();
                return;
            }
            _held.Enqueue(send);
            _somethingHeld.TrySetResult();
        }
    }

    [GeneratedRegex("/_blazor")]
    private static partial Regex Circuit();
}
