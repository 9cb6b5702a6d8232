using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Cord19.Tests.Support;

/// <summary>A fake clock that says each wait asked of it, so that waits are read rather than timed.</summary>
public sealed class WaitRecordingClock : TimeProvider
{
    public FakeTimeProvider Fake { get; } = new();
    public Channel<TimeSpan> Waits { get; } = Channel.CreateUnbounded<TimeSpan>();

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();
    public override long GetTimestamp() => Fake.GetTimestamp();
    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        Waits.Writer.TryWrite(dueTime);
        return timer;
    }
}
