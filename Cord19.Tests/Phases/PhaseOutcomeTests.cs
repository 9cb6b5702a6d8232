using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using Cord19.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using LogLevel = Cord19.Core.Deployments.LogLevel;
using ServerLogLevel = Microsoft.Extensions.Logging.LogLevel;

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

    /// <summary>
    /// A phase its own instance stopped (<see cref="InstanceLiveness"/>: the state database out of reach for longer than the
    /// other instances wait) ends saying so, as its runner was told: "Cancelled." would read as if someone had cancelled it.
    /// </summary>
    [Fact]
    public async Task A_phase_its_instance_stopped_ends_with_the_reason_it_was_given()
    {
        await using var h = await CoreHarness.StartAsync(options: o => o.TestStepDelayMs = "10000");
        var cancellations = h.Services.GetRequiredService<RunCancellations>();
        var run = (await h.Phases.RequestAsync(new RunRequest(Phase.First))).Run!;
        await Until.TrueAsync(() => cancellations.Running.Contains(run.Id), "phase 1's runner to register");

        const string why = "Stopped: this instance had not reached the state database for 60 s. Resume it or run it again.";
        Assert.Equal(1, cancellations.CancelAll(why));
        await h.Scheduler.WaitAsync(run.Id).WaitAsync(TimeSpan.FromSeconds(30));

        var ended = (await h.Store.FindRunAsync(run.Id))!;
        Assert.Equal(PhaseStatus.Interrupted, ended.Status);
        Assert.Equal(why, ended.Reason);
        Assert.Contains(await h.Store.GetLogAsync(run.Id), l => l.Step == "phase" && l.Message == why);
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

    /// <summary>
    /// A database that refuses for good, not for a moment, holds a job worker in the runner's loop: one warning at the start
    /// is easy to miss, so it says so again every ten tries, and records the end as soon as it can.
    /// </summary>
    [Fact]
    public async Task A_runner_that_cannot_record_its_end_says_so_again_every_ten_tries_and_records_it_once_it_can()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logger = new FakeLogger<PhaseRunner>();
        CoreHarness? harness = null;
        await using var h = harness = await CoreHarness.StartAsync(clock, configure: s =>
        {
            s.AddSingleton<ILogger<PhaseRunner>>(logger);
            // The phase's last act takes the runs' table away, so that the runner cannot write its end.
            s.AddSingleton<ITarget>(new Acting(() => ExecuteAsync(harness!, "ALTER TABLE \"PhaseRuns\" RENAME TO \"PhaseRunsAway\"")));
        });
        var run = (await h.Phases.RequestAsync(new RunRequest(Phase.First))).Run!;
        var job = h.Scheduler.WaitAsync(run.Id);

        var errors = 0;
        for (var i = 0; i < 200 && errors < 2; i++)
        {
            await Task.Delay(10);
            clock.Advance(TimeSpan.FromSeconds(30));
            errors = logger.Collector.GetSnapshot().Count(r => r.Level == ServerLogLevel.Error);
        }
        var said = logger.Collector.GetSnapshot();
        Assert.Single(said, r => r.Level == ServerLogLevel.Warning && r.Message.Contains("did not take it", StringComparison.Ordinal));
        var again = said.Where(r => r.Level == ServerLogLevel.Error).Select(r => r.Message).ToList();
        Assert.Equal(2, again.Count);
        Assert.StartsWith($"Phase 1 run {run.Id} has not been able to record its end (Succeeded) after 11 tries: ", again[0]);
        Assert.StartsWith($"Phase 1 run {run.Id} has not been able to record its end (Succeeded) after 21 tries: ", again[1]);
        Assert.False(job.IsCompleted, "The runner gave up.");

        await ExecuteAsync(h, "ALTER TABLE \"PhaseRunsAway\" RENAME TO \"PhaseRuns\"");
        for (var i = 0; i < 200 && !job.IsCompleted; i++)
        {
            await Task.Delay(10);
            clock.Advance(TimeSpan.FromSeconds(30));
        }
        await job.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(PhaseStatus.Succeeded, (await h.Store.FindRunAsync(run.Id))!.Status);
    }

    private sealed class Acting(Func<Task> act) : ITarget
    {
        public DeploymentTarget Kind => DeploymentTarget.Local;

        public Task RunAsync(PhaseContext context) => act();

        public Task<IReadOnlyList<PlannedDeletion>> PlanDeallocationAsync(Guid deploymentId, PipelineSettings settings, IReadOnlyList<ResourceView> ledger,
            CancellationToken ct) => Task.FromResult<IReadOnlyList<PlannedDeletion>>([]);
    }

    private static async Task ExecuteAsync(CoreHarness h, string sql)
    {
        await using var db = await h.Services.GetRequiredService<IDbContextFactory<Cord19Db>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(sql);
    }
}
