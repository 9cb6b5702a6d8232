using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using Cord19.Core.Deployments;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cord19.Core.Live;

/// <summary>
/// The change feed across every app instance on one PostgreSQL: a change is published in this process at once and
/// sent with NOTIFY; each instance LISTENs and republishes what the others sent, so a click on one instance shows on
/// every page of every instance (and a phase run by another instance's job server shows here).
/// </summary>
/// <remarks>
/// NOTIFY is delivered only to sessions listening at that moment: after a lost connection the instance tells its
/// pages to re-read (<see cref="ResourcesChanged.ReadAgain"/>), since changes may have been missed; and
/// after changes it could not send, it tells the other instances the same once it can.
/// </remarks>
public sealed class PostgresDeploymentFeed(StateDatabase database, ILogger<PostgresDeploymentFeed> logger, TimeProvider clock) : BackgroundService, IDeploymentFeed
{
    public const string Channel = "cord19_changes";

    // PostgreSQL refuses a payload of 8,000 bytes or more; a longer log line travels shortened (the stored log keeps it whole).
    private const int MaxPayloadBytes = 7_999;
    private const int MaxMessageChars = 3_000;
    private const string Shortened = " … (shortened; the stored log has all of it)";

    private static readonly TimeSpan HeldAWhile = TimeSpan.FromMinutes(1);

    // Text as it is, not escaped: the payload goes to PostgreSQL, never into a page, and an escaped accented letter is six
    // bytes of the 8,000.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly DeploymentFeed _local = new();
    private readonly Channel<DeploymentChange> _outbox = System.Threading.Channels.Channel.CreateUnbounded<DeploymentChange>(new() { SingleReader = true });
    private readonly string _origin = Guid.NewGuid().ToString("N");

    public long Published => _local.Published;

    public void Publish(DeploymentChange change)
    {
        _local.Publish(change);
        _outbox.Writer.TryWrite(change);
    }

    public IAsyncEnumerable<DeploymentChange> WatchAsync(CancellationToken cancellationToken) => _local.WatchAsync(cancellationToken);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(KeepAsync("listen", ListenAsync, stoppingToken), KeepAsync("notify", SendAsync, stoppingToken));

    /// <summary>
    /// Runs a loop that needs a connection again after a failure, waiting longer each time (up to 10 s). A connection that
    /// held a while was not failing: its loss starts again from the first wait, or after six losses in the app's life
    /// every later one would wait the longest.
    /// </summary>
    private async Task KeepAsync(string what, Func<CancellationToken, Task> loop, CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            var began = clock.GetTimestamp();
            try
            {
                await loop(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning("The cross-instance change feed ({What}) lost PostgreSQL: {Message}. Retrying.", what, ex.Message);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // Not PostgreSQL: a bug (a change of a kind not registered for JSON, say). Ending this loop would end the host
                // (.NET's default for a failed hosted service), and with it the panel that stops what it started.
                logger.LogError(ex, "The cross-instance change feed ({What}) failed unexpectedly. Retrying.", what);
            }
            failures = clock.GetElapsedTime(began) >= HeldAWhile ? 1 : failures + 1;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(10_000, 250 << Math.Min(failures - 1, 6))), clock, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ListenerConnectionString());
        connection.Notification += (_, e) => Receive(e.Payload);
        await connection.OpenAsync(ct);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
            await listen.ExecuteNonQueryAsync(ct);
        // Anything sent while this instance was not listening is lost: pages re-read their snapshot.
        _local.Publish(ResourcesChanged.ReadAgain);
        while (true) await connection.WaitAsync(ct);
    }

    private async Task SendAsync(CancellationToken ct)
    {
        await using var source = NpgsqlDataSource.Create(database.PostgresConnectionString!);
        while (await _outbox.Reader.WaitToReadAsync(ct))
        {
            // Everything waiting goes in one round trip, in the order it was published.
            await using var batch = source.CreateBatch();
            try
            {
                while (batch.BatchCommands.Count < 200 && _outbox.Reader.TryRead(out var change))
                {
                    var command = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
                    command.Parameters.Add(new NpgsqlParameter { Value = Channel });
                    command.Parameters.Add(new NpgsqlParameter { Value = Wrap(change) });
                    batch.BatchCommands.Add(command);
                }
                await batch.ExecuteNonQueryAsync(ct);
            }
            catch when (!ct.IsCancellationRequested)
            {
                // What the batch held may not have reached the other instances: once the database answers again they are
                // told to read everything again, as a listener that lost its connection tells its own pages.
                _outbox.Writer.TryWrite(ResourcesChanged.ReadAgain);
                throw;
            }
        }
    }

    /// <summary>
    /// The change as NOTIFY carries it. A log line too long for it is cut to 3,000 characters, then by half until it fits
    /// (characters that JSON escapes, and those of several bytes, make the bytes outrun the characters: a line of accented
    /// text at 3,000 did not fit, and the whole batch it went in was refused). Anything else too long (a run whose reason
    /// quotes a long error) tells the other instances to read again, which the pages and the run relay act on as they
    /// would on the change itself.
    /// </summary>
    private string Wrap(DeploymentChange change)
    {
        var payload = Serialize(change);
        if (change is LogLineAdded log)
            for (var keep = Math.Min(MaxMessageChars, log.Line.Message.Length); !Fits(payload) && keep > 0; keep /= 2)
                payload = Serialize(log with { Line = log.Line with { Message = log.Line.Message[..keep] + Shortened } });
        return Fits(payload) ? payload : Serialize(ResourcesChanged.ReadAgain);
    }

    private string Serialize(DeploymentChange change) => JsonSerializer.Serialize(new Envelope(_origin, change), Json);

    private static bool Fits(string payload) => Encoding.UTF8.GetByteCount(payload) <= MaxPayloadBytes;

    private void Receive(string payload)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(payload, Json);
            if (envelope is { Change: { } change } && envelope.Origin != _origin) _local.Publish(change);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            // Another release's instance on the same database may send a shape this one does not know (a change without
            // its kind is a NotSupportedException: System.Text.Json cannot make the abstract change itself).
            logger.LogWarning("Ignored a change from another instance that this one cannot read: {Message}", ex.Message);
        }
    }

    // The listening session lives as long as the app: kept out of the pool, with keepalives so a dead link is noticed.
    private string ListenerConnectionString() => new NpgsqlConnectionStringBuilder(database.PostgresConnectionString)
    {
        Pooling = false,
        KeepAlive = 15,
    }.ConnectionString;

    private sealed record Envelope(string Origin, DeploymentChange Change);
}
