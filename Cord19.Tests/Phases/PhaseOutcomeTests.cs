using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Cord19.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Phases;

/// <summary>
/// A phase's end is written once the state database takes it. Its job is not run again, so an end lost to a database
/// briefly out of reach (a fail-over, a restart of PostgreSQL) would leave the phase "Running" for ever.
/// </summary>
public sealed class PhaseOutcomeTests
{
    [Fact]
    public async Task A_phase_that_ends_while_its_run_cannot_be_written_records_its_end_once_it_can()
    {
        await using var h = await CoreHarness.StartAsync(options: o => o.TestStepDelayMs = "200");
        var run = (await h.Phases.RequestAsync(new RunRequest(Phase.First))).Run!;
        await h.UntilStartedAsync(run.Id);

        // The runs' table out of reach (renamed away) while the phase goes on and ends; the log and ledger still take writes.
        await ExecuteAsync(h, "ALTER TABLE \"PhaseRuns\" RENAME TO \"PhaseRunsAway\"");
        var job = h.Scheduler.WaitAsync(run.Id);
        await Task.WhenAny(job, Task.Delay(TimeSpan.FromSeconds(4)));
        Assert.False(job.IsCompleted, "The runner gave up on writing its end while the database could not take it.");
        await ExecuteAsync(h, "ALTER TABLE \"PhaseRunsAway\" RENAME TO \"PhaseRuns\"");

        await job.WaitAsync(TimeSpan.FromSeconds(60));
        // Succeeded, or failed on the missing table (a step reads the run too): either way ended, and saying why.
        var ended = (await h.Store.FindRunAsync(run.Id))!;
        Assert.NotEqual(PhaseStatus.Running, ended.Status);
        Assert.NotNull(ended.EndedAt);
        if (ended.Status != PhaseStatus.Succeeded)
        {
            Assert.Equal(PhaseStatus.Failed, ended.Status);
            Assert.Equal("Unexpected error (SqliteException): SQLite Error 1: 'no such table: PhaseRuns'. The full error is in the server log; " +
                         "run the phase again once it is fixed.", ended.Reason);
            Assert.Contains(await h.Store.GetLogAsync(run.Id), l => l.Level == LogLevel.Error && l.Message == ended.Reason);
        }
    }

    [Fact]
    public async Task A_phase_whose_job_cannot_be_queued_is_refused_and_recorded_failed_without_the_storages_words()
    {
        await using var h = await CoreHarness.StartAsync();
        h.Scheduler.Refusal = new InvalidOperationException("08006: connection to server at \"db\" (10.0.0.5), port 5432 failed: Password=hunter2");

        var outcome = await h.Phases.RequestAsync(new RunRequest(Phase.First));

        Assert.Equal(PhaseService.NotQueued, outcome.Refusal);
        var phase = (await h.Store.GetSnapshotAsync())[Phase.First];
        Assert.Equal(PhaseStatus.Failed, phase.Status);
        Assert.Equal(PhaseService.NotQueued, phase.LatestRun!.Reason);

        // Nothing is left "Running": the next click is taken.
        h.Scheduler.Refusal = null;
        Assert.Equal(PhaseStatus.Succeeded, (await h.RunAsync(Phase.First)).Status);
    }

    private static async Task ExecuteAsync(CoreHarness h, string sql)
    {
        await using var db = await h.Services.GetRequiredService<IDbContextFactory<Cord19Db>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(sql);
    }
}
