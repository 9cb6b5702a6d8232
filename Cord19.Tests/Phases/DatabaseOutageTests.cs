using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Tests.Support;
using Npgsql;

namespace Cord19.Tests.Phases;

/// <summary>
/// A fail-over or a restart of PostgreSQL drops every connection for a few seconds. A phase that writes meanwhile (every
/// step logs) waits for the database instead of failing: the state's writes are retried for about a minute.
/// </summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task A_phase_goes_on_through_a_few_seconds_in_which_PostgreSQL_drops_every_connection()
    {
        SeverableTcpRelay? relay = null;
        await using var h = await CoreHarness.StartAsync(database: CoreHarness.Postgres, options: o =>
        {
            var direct = new NpgsqlConnectionStringBuilder(o.Postgres);
            relay = new SeverableTcpRelay(direct.Host!, direct.Port);
            o.Postgres = new NpgsqlConnectionStringBuilder(o.Postgres) { Host = "127.0.0.1", Port = relay.Port }.ConnectionString;
            o.TestStepDelayMs = "1000";
        });
        await using var cut = relay!;
        var run = (await h.Phases.RequestAsync(new RunRequest(Phase.First))).Run!;
        while ((await h.Store.GetLogAsync(run.Id)).Count == 0) await Task.Delay(20);

        // Cut while the first step waits, so that its next writes (the ledger, its log) meet the outage and the dead pool.
        cut.Sever();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var job = h.Scheduler.WaitAsync(run.Id);
        Assert.False(job.IsCompleted, "The phase ended before PostgreSQL came back, so no write met the outage.");
        cut.Mend();

        await job.WaitAsync(TimeSpan.FromSeconds(60));
        var ended = (await h.Store.FindRunAsync(run.Id))!;
        Assert.True(ended.Status == PhaseStatus.Succeeded, $"Phase 1 ended {ended.Status}: {ended.Reason}");
        Assert.True(cut.Dropped > 0, "The relay dropped no connection, so the phase never met the outage.");
        Assert.DoesNotContain(await h.Store.GetLogAsync(run.Id), l => l.Level == LogLevel.Error);
    }
}
