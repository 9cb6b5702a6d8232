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
    private TaskCompletionSource _eventHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
            ws.OnMessage(frame => gate.Pass(IsBrowserEvent(frame.Binary!), () => server.Send(frame.Binary!)));
        });
        return gate;
    }

    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            if (_held.Count == 0) _eventHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Completes once the closed gate holds a browser event (a click): what the page sent has left it.</summary>
    public Task EventHeld
    {
        get { lock (_lock) return _eventHeld.Task; }
    }

    public void Open()
    {
        lock (_lock)
        {
            _closed = false;
            while (_held.TryDequeue(out var send)) send();
        }
    }

    /// <summary>
    /// Blazor sends a browser event as an invocation of DispatchEventAsync. Most of what a page sends is something else,
    /// which must not stand for the click a test waits on: an acknowledgement of every render the server pushes
    /// (OnRenderCompleted, 77 in 40 s of the Overview), answers to JS interop, and a keep-alive ping every 15 s.
    /// </summary>
    private static bool IsBrowserEvent(byte[] frame) => frame.AsSpan().IndexOf("DispatchEventAsync"u8) >= 0;

    private void Pass(bool browserEvent, Action send)
    {
        lock (_lock)
        {
            if (!_closed)
            {
                send();
                return;
            }
            _held.Enqueue(send);
            if (browserEvent) _eventHeld.TrySetResult();
        }
    }

    [GeneratedRegex("/_blazor")]
    private static partial Regex Circuit();
}
