using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;

namespace Cord19.Web.Security;

/// <summary>
/// Guessing the access token is throttled per client: a few wrong tries a minute (the sign-in form, a bearer header,
/// the token in the address), then 429 with Retry-After until the window passes. ASP.NET Core's rate limiter
/// (System.Threading.RateLimiting), partitioned by the client's address; right tokens are never counted.
/// </summary>
public sealed class CredentialGuessThrottle : IDisposable
{
    public const int TriesPerWindow = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(client =>
        RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = TriesPerWindow,
            Window = Window,
            QueueLimit = 0,
        }));

    /// <summary>Counts one wrong try; null while the client may try again, else how long it must wait.</summary>
    public TimeSpan? WrongTry(HttpContext http)
    {
        using var lease = _limiter.AttemptAcquire(Client(http));
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Window;
    }

    /// <summary>Answers 429 with Retry-After, as problem details.</summary>
    public static Task RefuseAsync(HttpContext http, TimeSpan retryAfter)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Results.Problem($"Too many wrong access tokens from this address: wait {Math.Ceiling(retryAfter.TotalSeconds):0} s, then use the token the panel printed at start.",
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many sign-in attempts").ExecuteAsync(http);
    }

    /// <summary>
    /// The client's address; a request from this machine that names another host than this machine is counted apart. A
    /// page on another site that points its own name at this machine (DNS rebinding) sends its guesses from this
    /// machine's own address: counted with the person's, it held their sign-in throttled for as long as it stayed open.
    /// Every such name shares the one count, so a page with many names gets no more guesses than one.
    /// </summary>
    private static string Client(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress ?? IPAddress.IPv6None;
        return IPAddress.IsLoopback(address) && !Hosting.LoopbackDefaults.NamesThisMachine(http.Request.Host)
            ? $"{address.MapToIPv6()} naming another host"
            : address.MapToIPv6().ToString();
    }

    public void Dispose() => _limiter.Dispose();
}
