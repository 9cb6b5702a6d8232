using Cord19.Web.Components;
using Microsoft.Extensions.Time.Testing;

namespace Cord19.Tests.Pages;

/// <summary>How a live view's changes become renders: at once after a quiet interval, coalesced inside one.</summary>
public sealed class RenderThrottleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(150);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private int _renders;

    private RenderThrottle Throttle() => new(() => { Interlocked.Increment(ref _renders); return Task.CompletedTask; }, Interval, _clock);

    [Fact]
    public void A_first_change_is_rendered_at_once()
    {
        using var throttle = Throttle();

        throttle.Request();

        Assert.Equal(1, _renders);
    }

    [Fact]
    public async Task Changes_inside_the_interval_are_rendered_once_at_its_end()
    {
        using var throttle = Throttle();
        throttle.Request();
        _clock.Advance(TimeSpan.FromMilliseconds(10));

        throttle.Request();
        throttle.Request();
        throttle.Request();
        _clock.Advance(TimeSpan.FromMilliseconds(139));
        Assert.Equal(1, _renders);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await RendersAsync(2);
        _clock.Advance(Interval * 3);
        Assert.Equal(2, _renders);
    }

    [Fact]
    public async Task A_change_after_a_quiet_interval_is_rendered_at_once()
    {
        using var throttle = Throttle();
        throttle.Request();
        _clock.Advance(Interval);

        throttle.Request();
        Assert.Equal(2, _renders);

        // The interval runs from the last render, not from the first of a burst.
        _clock.Advance(Interval - TimeSpan.FromMilliseconds(1));
        throttle.Request();
        Assert.Equal(2, _renders);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await RendersAsync(3);
    }

    [Fact]
    public async Task Nothing_is_rendered_once_disposed()
    {
        var throttle = Throttle();
        throttle.Request();
        throttle.Request();
        throttle.Dispose();

        _clock.Advance(Interval);
        throttle.Request();
        // Time for the render the interval's end would have made (see RendersAsync).
        await Task.Delay(200);

        Assert.Equal(1, _renders);
    }

    // A delay's end resumes its render on the thread pool, not inside Advance.
    private async Task RendersAsync(int expected)
    {
        for (var waited = 0; Volatile.Read(ref _renders) < expected && waited < 5_000; waited += 10) await Task.Delay(10);
        Assert.Equal(expected, _renders);
    }
}
