using System.Threading.Channels;
using Cord19.Core.Deployments;
using Cord19.Core.Live;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using Cord19.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace Cord19.Tests.Live;

/// <summary>Two app instances' change feeds on one real PostgreSQL, one of them reaching it through a relay that can be cut.</summary>
public sealed class PostgresDeploymentFeedTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
    private string _database = null!;

    public async Task InitializeAsync() => _database = await TestPostgres.CreateDatabaseAsync();

    /// <summary>
    /// A change whose NOTIFY failed (the connection dropped under it) was lost for the other instances: their pages kept
    /// showing, say, a phase running that had ended, until something else changed. They are now told to read again.
    /// </summary>
    [Fact]
    public async Task Changes_that_could_not_be_sent_tell_the_other_instances_to_read_again()
    {
        await using var relay = SeverableTcpRelay.ToPostgres(_database, out var throughRelay);
        using var sender = Feed(throughRelay);
        using var receiver = Feed(_database);
        var heard = Hear(receiver);
        await receiver.StartAsync(_stop.Token);
        // Listening, the receiver asks its own pages to read again: what was sent before it listened is not known.
        Assert.Equal(ResourcesChanged.ReadAgain, await NextAsync(heard));
        await sender.StartAsync(_stop.Token);
        var sent = new ResourcesChanged(Guid.NewGuid());
        sender.Publish(sent);
        Assert.Equal(sent, await NextAsync(heard));

        relay.Sever();
        var lost = new ResourcesChanged(Guid.NewGuid());
        sender.Publish(lost);
        await Until.TrueAsync(() => relay.Dropped > 2, "the relay to drop the send's connection and the listener's retry");
        relay.Mend();

        // The read-again; or the change itself, had its send waited for the mend (it does not here: the pooled connection
        // the sever dropped is tried at once).
        Assert.Contains(await NextAsync(heard), new DeploymentChange[] { ResourcesChanged.ReadAgain, lost });
    }

    /// <summary>
    /// The wait before connecting again grows with each failure, to 10 s; a connection that then held a while starts it
    /// again from the first. Before, the count of failures was the app's whole life's: after six, every later loss waited
    /// 10 s before listening again.
    /// </summary>
    [Fact]
    public async Task The_wait_to_listen_again_grows_with_failures_and_starts_again_after_a_connection_that_held()
    {
        var clock = new WaitRecordingClock();
        await using var relay = SeverableTcpRelay.ToPostgres(_database, out var throughRelay);
        using var feed = Feed(throughRelay, clock: clock);
        var heard = Hear(feed);
        await feed.StartAsync(_stop.Token);
        Assert.Equal(ResourcesChanged.ReadAgain, await NextAsync(heard));

        relay.Sever();
        var waits = new List<double>();
        for (var failure = 1; failure <= 7; failure++)
        {
            var wait = await clock.Waits.Reader.ReadAsync(_stop.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(15), _stop.Token);
            waits.Add(wait.TotalSeconds);
            if (failure == 7) relay.Mend();
            clock.Fake.Advance(wait);
        }
        Assert.Equal([0.25, 0.5, 1, 2, 4, 8, 10], waits);
        Assert.Equal(ResourcesChanged.ReadAgain, await NextAsync(heard));

        clock.Fake.Advance(TimeSpan.FromMinutes(2));
        relay.Sever();
        Assert.Equal(TimeSpan.FromSeconds(0.25), await clock.Waits.Reader.ReadAsync(_stop.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(15), _stop.Token));
    }

    /// <summary>
    /// PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more: a longer log line travels shortened, while the
    /// instance's own pages get it whole at once. Accented text at 3,000 characters was still too long (each letter
    /// escaped to six bytes): the batch it went in was refused, and with it every change it held.
    /// </summary>
    [Theory]
    [InlineData('a')]
    [InlineData('é')]
    [InlineData('中')]
    public async Task A_long_log_line_reaches_the_other_instances_shortened_and_this_ones_whole(char letter)
    {
        using var sender = Feed(_database);
        using var receiver = Feed(_database);
        var heard = Hear(receiver);
        var heardHere = Hear(sender);
        await receiver.StartAsync(_stop.Token);
        await sender.StartAsync(_stop.Token);
        Assert.Equal(ResourcesChanged.ReadAgain, await NextAsync(heard));
        // The sender's own read-again comes when its listener is up, in the background: published before that, the line
        // could come first (CI saw it once).
        Assert.Equal(ResourcesChanged.ReadAgain, await NextAsync(heardHere));
        var line = new LogLine(1, Guid.NewGuid(), 4, DateTime.UtcNow, Cord19.Core.Deployments.LogLevel.Info, "preprocess", new string(letter, 10_000));
        var after = new ResourcesChanged(Guid.NewGuid());

        sender.Publish(new LogLineAdded(Guid.NewGuid(), line));
        sender.Publish(after);

        Assert.Equal(line, Assert.IsType<LogLineAdded>(await NextAsync(heardHere)).Line);
        var there = Assert.IsType<LogLineAdded>(await NextAsync(heard)).Line;
        const string Shortened = " … (shortened; the stored log has all of it)";
        Assert.EndsWith(Shortened, there.Message);
        Assert.StartsWith(there.Message[..^Shortened.Length], line.Message);
        Assert.InRange(there.Message.Length - Shortened.Length, 1_000, 3_000);
        Assert.Equal(line with { Message = there.Message }, there);
        // The changes sent with it arrive too.
        Assert.Equal(after, await NextAsync(heard));
    }

    /// <summary>
    /// A run whose reason quotes a long error cannot travel whole: before, it went as a change of resources, which neither
    /// the Overview's log nor the run relay acts on (an interrupted run would have gone on on its instance).
    /// </summary>
    [Fact]
    public async Task A_run_change_too_long_to_send_tells_the_other_instances_to_read_again()
    {
        using var sender = Feed(_database);
        using var receiver = Feed(_database);
        var heard = Hear(receiver);
        await receiver.StartAsync(_stop.Token);
        await sender.StartAsync(_stop.Token);
        Assert.Equal(ResourcesChanged.ReadAgain, await NextAsync(heard));
        var run = new PhaseRunView(Guid.NewGuid(), Guid.NewGuid(), 4, PhaseStatus.Interrupted, false, DateTime.UtcNow, DateTime.UtcNow, DateTime.UtcNow,
            "Unexpected error: " + new string('x', 10_000));

        var after = new ResourcesChanged(Guid.NewGuid());
        sender.Publish(new PhaseRunChanged(run.DeploymentId, run));
        sender.Publish(after);

        Assert.Equal(ResourcesChanged.ReadAgain, await NextAsync(heard));
        // Not by the batch failing: the change sent with it arrives too.
        Assert.Equal(after, await NextAsync(heard));
    }

    /// <summary>
    /// A change the feed cannot write (here a kind not registered for JSON: a developer's slip that only a PostgreSQL
    /// state database meets) ended the feed's hosted service, and with it, by .NET's default, the whole panel. It is
    /// logged, the other instances read again, and what is published after it still travels.
    /// </summary>
    [Fact]
    public async Task A_change_the_feed_cannot_write_is_logged_and_the_feed_goes_on()
    {
        var logger = new FakeLogger<PostgresDeploymentFeed>();
        using var sender = Feed(_database, logger);
        using var receiver = Feed(_database);
        var heard = Hear(receiver);
        await receiver.StartAsync(_stop.Token);
        await sender.StartAsync(_stop.Token);
        Assert.Equal(ResourcesChanged.ReadAgain, await NextAsync(heard));

        sender.Publish(new UnregisteredChange(Guid.NewGuid()));
        Assert.Equal(ResourcesChanged.ReadAgain, await NextAsync(heard));
        var after = new ResourcesChanged(Guid.NewGuid());
        sender.Publish(after);

        Assert.Equal(after, await NextAsync(heard));
        Assert.False(sender.ExecuteTask!.IsCompleted);
        var error = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Equal("The cross-instance change feed (notify) failed unexpectedly. Retrying.", error.Message);
        Assert.Contains(nameof(UnregisteredChange), error.Exception!.Message);
    }

    private sealed record UnregisteredChange(Guid DeploymentId) : DeploymentChange(DeploymentId);

    /// <summary>A newer release on the same database may send a kind of change, or a shape, that this one does not know.</summary>
    [Theory]
    [InlineData("""{"origin":"newer","change":{"kind":"something-new","deploymentId":"6c0e8f43-62a2-4a47-9d1e-2f3b8c1c9a01"}}""")]
    [InlineData("""{"origin":"newer","change":{"deploymentId":"6c0e8f43-62a2-4a47-9d1e-2f3b8c1c9a01"}}""")]
    [InlineData("""{"origin":"newer","change":{"kind":"resources","deploymentId":"not a guid"}}""")]
    [InlineData("not json")]
    public async Task A_change_this_release_cannot_read_is_ignored_and_the_feed_goes_on(string payload)
    {
        var logger = new FakeLogger<PostgresDeploymentFeed>();
        using var receiver = Feed(_database, logger);
        var heard = Hear(receiver);
        await receiver.StartAsync(_stop.Token);
        Assert.Equal(ResourcesChanged.ReadAgain, await NextAsync(heard));

        var after = new ResourcesChanged(Guid.NewGuid());
        await NotifyAsync(payload);
        await NotifyAsync(System.Text.Json.JsonSerializer.Serialize(new { origin = "newer", change = (DeploymentChange)after }, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));

        Assert.Equal(after, await NextAsync(heard));
        Assert.StartsWith("Ignored a change from another instance that this one cannot read: ", Assert.Single(logger.Collector.GetSnapshot()).Message);
    }

    private async Task NotifyAsync(string payload)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_database);
        await connection.OpenAsync(_stop.Token);
        await using var notify = new Npgsql.NpgsqlCommand("SELECT pg_notify($1, $2)", connection) { Parameters = { new() { Value = PostgresDeploymentFeed.Channel }, new() { Value = payload } } };
        await notify.ExecuteNonQueryAsync(_stop.Token);
    }

    private PostgresDeploymentFeed Feed(string connectionString, ILogger<PostgresDeploymentFeed>? logger = null, TimeProvider? clock = null) =>
        new(new StateDatabase(connectionString, new DataDirectory(_data.Path)), logger ?? NullLogger<PostgresDeploymentFeed>.Instance, clock ?? TimeProvider.System);

    /// <summary>What <paramref name="feed"/> publishes from now on (subscribed before this returns, so nothing is missed).</summary>
    private ChannelReader<DeploymentChange> Hear(PostgresDeploymentFeed feed)
    {
        var heard = Channel.CreateUnbounded<DeploymentChange>();
        var changes = feed.WatchAsync(_stop.Token).GetAsyncEnumerator(_stop.Token);
        var next = changes.MoveNextAsync(); // runs the subscription synchronously
        _ = PumpAsync();
        return heard.Reader;

        async Task PumpAsync()
        {
            try
            {
                while (await next)
                {
                    heard.Writer.TryWrite(changes.Current);
                    next = changes.MoveNextAsync();
                }
            }
            catch (OperationCanceledException)
            {
            }
            heard.Writer.TryComplete();
        }
    }

    private async Task<DeploymentChange> NextAsync(ChannelReader<DeploymentChange> heard) =>
        await heard.ReadAsync(_stop.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(15), _stop.Token);

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        await TestPostgres.DropDatabaseAsync(_database);
        _data.Dispose();
    }
}
