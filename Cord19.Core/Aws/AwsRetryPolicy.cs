namespace Cord19.Core.Aws;

/// <summary>
/// Retries for throttling and 5xx: exponential backoff with full jitter (AWS's recommendation, so that many
/// callers throttled together do not retry together), and a timeout on every attempt.
/// </summary>
public sealed record AwsRetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay, TimeSpan AttemptTimeout)
{
    public static AwsRetryPolicy Default { get; } = new(5, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));

    public TimeSpan Delay(int attempt)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }
}
