using System.Data.Common;
using Cord19.Core.Deployments;
using Cord19.Core.Deployments.Schema;
using Cord19.Core.Execution;
using Cord19.Core.Live;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using Cord19.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cord19.Tests.Phases;

/// <summary>
/// A fail-over or a restart of PostgreSQL drops every connection for a few seconds. A phase that writes meanwhile (every
/// step logs) waits for the database instead of failing: the state's writes are retried for about a minute. Past that,
/// the phase is interrupted with the reason and the fix, not failed with an "unexpected error".
/// </summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task A_phase_goes_on_through_a_few_seconds_in_which_PostgreSQL_drops_every_connection()
    {
        SeverableTcpRelay? relay = null;
        await using var h = await CoreHarness.StartAsync(database: CoreHarness.Postgres, options: o =>
        {
            relay = SeverableTcpRelay.ToPostgres(o);
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

    /// <remarks>
    /// The retries give up after about a minute: a target whose write meets that (as the state's strategy throws it) stands in
    /// for the minute. Once by hand, the relay above severed for 75 s inside phase 1: the phase ended with this reason
    /// 59 s after the cut, recorded when the relay was mended.
    /// </remarks>
    [Fact]
    public async Task A_phase_whose_writes_stayed_out_of_reach_through_every_retry_is_interrupted_saying_so()
    {
        var unreachable = new StateDatabaseOutOfReachException(new RetryLimitExceededException("The maximum number of retries (6) was exceeded.",
            new NpgsqlException("Failed to connect to 127.0.0.1:5432", new System.Net.Sockets.SocketException(111))));
        await using var h = await CoreHarness.StartAsync(configure: s => s.AddSingleton<ITarget>(new Throwing(unreachable)));

        var ended = (await h.RunAsync(Phase.First)).LatestRun!;

        Assert.Equal(PhaseStatus.Interrupted, ended.Status);
        Assert.Equal(StateDatabaseFailure.OutageReason, ended.Reason);
        Assert.Contains(await h.Store.GetLogAsync(ended.Id), l => l.Level == LogLevel.Warning && l.Message == StateDatabaseFailure.OutageReason);
    }

    /// <summary>
    /// The connection lost just after PostgreSQL committed a write, before its answer came back: the retry meets its own
    /// write. A click on a phase was refused as "another phase has just started" while its own run, with no job, stayed
    /// "Running"; a ledger entry failed its phase on a duplicate key; saved settings were reported refused; a run a restart
    /// ended was taken for ended by another; the budget guard took its own trip for another process's and de-allocated
    /// nothing.
    /// </summary>
    [Fact]
    public async Task A_write_retried_after_its_answer_was_lost_is_kept_once_and_reported_as_done()
    {
        await using var h = await CoreHarness.StartAsync(database: CoreHarness.Postgres);
        Assert.Equal(PhaseStatus.Succeeded, (await h.RunAsync(Phase.First)).Status);
        var answerLost = new AnswerLostAfterCommit();
        var store = StoreWith(h, answerLost);

        answerLost.Arm("INSERT INTO \"PhaseRuns\"");
        var outcome = await store.RequestRunAsync(new RunRequest(2), DeploymentTarget.Local, null, "{}");
        Assert.True(outcome.Accepted, $"refused: {outcome.Refusal}");
        Assert.Equal(0, answerLost.Armed);
        var runs = (await h.Store.GetWithRunsAsync())!.Value.Runs;
        Assert.Single(runs, r => r.PhaseNumber == 2);

        answerLost.Arm("INSERT INTO \"Resources\"");
        var run = runs.Single(r => r.PhaseNumber == 2).Key;
        await store.RecordResourceAsync(run, "test-kind", "somewhere", "kept once");
        Assert.Equal(0, answerLost.Armed);
        Assert.Single(await h.Store.GetLiveResourcesAsync(run.DeploymentId), r => r.Locator == "somewhere");
        await h.Store.CompleteRunAsync(run.Id, PhaseStatus.Succeeded, null);

        answerLost.Arm("INSERT INTO \"Settings\"");
        Assert.Empty(await SettingsWith(h, answerLost).SaveAsync(new PipelineSettings { BudgetCapUsd = 7 }));
        Assert.Equal(0, answerLost.Armed);
        Assert.Equal(7, (await h.Settings.GetStoredAsync()).BudgetCapUsd);

        var cutOff = await h.StartedWithoutAJobAsync(3);
        answerLost.Arm("UPDATE \"PhaseRuns\"");
        Assert.Equal(1, await store.InterruptAbandonedRunsAsync("restart"));
        Assert.Equal(0, answerLost.Armed);
        Assert.Equal(PhaseStatus.Interrupted, (await h.Store.FindRunAsync(cutOff.Id))!.Status);

        answerLost.Arm("UPDATE \"Deployments\"");
        Assert.True(await store.TryTripBudgetGuardAsync(run.DeploymentId, "the budget guard: spent"), "The guard's own trip was taken for another's.");
        Assert.Equal(0, answerLost.Armed);
        Assert.False(await h.Store.TryTripBudgetGuardAsync(run.DeploymentId, "the budget guard: spent"), "A second trip was taken.");
    }

    /// <summary>The store as the app builds it on PostgreSQL (<see cref="StateDatabase.UsePostgres"/>), with <paramref name="interceptor"/> added.</summary>
    private static DeploymentStore StoreWith(CoreHarness h, IInterceptor interceptor) =>
        new(FactoryWith(h, interceptor), h.Services.GetRequiredService<IDeploymentFeed>(), TimeProvider.System, h.Services.GetRequiredService<RunnerIdentity>());

    private static SettingsStore SettingsWith(CoreHarness h, IInterceptor interceptor) =>
        new(FactoryWith(h, interceptor), h.Services.GetRequiredService<IDeploymentFeed>(), h.Services.GetRequiredService<Cord19.Core.Configuration.Cord19Options>());

    private static Factory FactoryWith(CoreHarness h, IInterceptor interceptor)
    {
        var options = new DbContextOptionsBuilder<PostgresCord19Db>();
        h.Services.GetRequiredService<StateDatabase>().UsePostgres(options);
        options.AddInterceptors(interceptor);
        return new Factory(options.Options);
    }

    private sealed class Factory(DbContextOptions<PostgresCord19Db> options) : IDbContextFactory<Cord19Db>
    {
        public Cord19Db CreateDbContext() => new PostgresCord19Db(options);
    }

    /// <summary>Once armed, throws what Npgsql throws for a dropped connection after a statement has committed on its own.</summary>
    private sealed class AnswerLostAfterCommit : DbCommandInterceptor
    {
        private string? _statement;

        public int Armed => _statement is null ? 0 : 1;

        public void Arm(string statement) => _statement = statement;

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken ct = default)
        {
            LoseTheAnswerOf(command);
            return ValueTask.FromResult(result);
        }

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken ct = default)
        {
            if (IsArmedFor(command)) await result.DisposeAsync();
            LoseTheAnswerOf(command);
            return result;
        }

        private bool IsArmedFor(DbCommand command) =>
            _statement is { } statement && command.Transaction is null && command.CommandText.Contains(statement, StringComparison.Ordinal);

        private void LoseTheAnswerOf(DbCommand command)
        {
            if (!IsArmedFor(command)) return;
            _statement = null;
            throw new NpgsqlException("Exception while reading from stream", new IOException("Connection reset by peer"));
        }
    }

    private sealed class Throwing(Exception failure) : ITarget
    {
        public DeploymentTarget Kind => DeploymentTarget.Local;

        public Task RunAsync(PhaseContext context) => throw failure;

        public Task<IReadOnlyList<PlannedDeletion>> PlanDeallocationAsync(Guid deploymentId, PipelineSettings settings, IReadOnlyList<ResourceView> ledger,
            CancellationToken ct) => throw failure;
    }
}
