using Cord19.Core.Deployments;
using Cord19.Core.Live;
using Cord19.Core.Phases;
using Cord19.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Deployments;

/// <summary>Persistence and phase rules on both state databases: embedded SQLite and a real PostgreSQL server.</summary>
public sealed class DeploymentStoreTests
{
    public static TheoryData<string> Databases => [CoreHarness.Sqlite, CoreHarness.Postgres];

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Many_simultaneous_clicks_on_a_phase_start_exactly_one_run(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        h.Scheduler.Execute = false;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => h.Phases.RequestAsync(new RunRequest(1)))));

        Assert.Single(outcomes, o => o.Accepted);
        Assert.All(outcomes.Where(o => !o.Accepted), o => Assert.Contains("already running", o.Refusal));
        Assert.Single(await h.Store.ListDeploymentsAsync());
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task The_database_refuses_a_second_running_run_even_from_another_process(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        h.Scheduler.Execute = false;
        var first = await h.Phases.RequestAsync(new RunRequest(1));

        // A second app instance has its own in-process gate; only the unique index stands between them.
        var factory = h.Services.GetRequiredService<IDbContextFactory<Cord19Db>>();
        await using var db = await factory.CreateDbContextAsync();
        db.PhaseRuns.Add(new PhaseRun { DeploymentId = first.Run!.DeploymentId, PhaseNumber = 1, Status = PhaseStatus.Running, RequestedAt = DateTime.UtcNow });
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    /// <summary>
    /// A resource is live in one entry at most (a second, from another process, is refused by the database), and an
    /// ended entry stays ended: recording the resource again starts a new entry, so what the first one cost stays counted.
    /// </summary>
    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_resource_recorded_again_after_its_end_gets_a_new_entry_and_never_two_live_ones(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        var run = await h.StartedWithoutAJobAsync(Phase.First);
        var first = await h.Store.RecordResourceAsync(run.Key, "redshift-compute", "cord19-cluster", "running");
        Assert.Equal(first.Id, (await h.Store.RecordResourceAsync(run.Key, "redshift-compute", "cord19-cluster", "running, resumed phase")).Id);
        await h.Store.MarkResourceDeletedAsync(first.Id);
        var deletedAt = (await h.Store.GetWithRunsAsync(run.DeploymentId))!.Value.Deployment.Resources.Single().DeletedAt;
        // Marked again later (a second phase 7, a look at AWS): its end, and so its cost, stays where it was.
        await Task.Delay(50);
        await h.Store.MarkResourceDeletedAsync(first.Id);
        Assert.Equal(deletedAt, (await h.Store.GetWithRunsAsync(run.DeploymentId))!.Value.Deployment.Resources.Single().DeletedAt);

        var second = await h.Store.RecordResourceAsync(run.Key, "redshift-compute", "cord19-cluster", "running again");

        Assert.NotEqual(first.Id, second.Id);
        var (deployment, _) = (await h.Store.GetWithRunsAsync(run.DeploymentId))!.Value;
        var entries = deployment.Resources.Where(r => r.Locator == "cord19-cluster").OrderBy(r => r.CreatedAt).ToList();
        Assert.Equal([first.Id, second.Id], entries.Select(r => r.Id));
        Assert.NotNull(entries[0].DeletedAt);
        Assert.Null(entries[1].DeletedAt);
        await using var db = await h.Services.GetRequiredService<IDbContextFactory<Cord19Db>>().CreateDbContextAsync();
        db.Resources.Add(new DeployedResource { DeploymentId = run.DeploymentId, PhaseRunId = run.Id, Kind = "redshift-compute", Locator = "cord19-cluster", CreatedAt = DateTime.UtcNow });
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task After_a_restart_a_phase_left_running_is_interrupted_with_a_reason_and_can_be_resumed(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        var run = await h.StartedWithoutAJobAsync(Phase.First);
        Assert.Equal(PhaseStatus.Running, (await h.Store.GetSnapshotAsync())[1].Status);

        // What start-up does after a crash.
        var interrupted = await h.Store.InterruptAbandonedRunsAsync("The control panel stopped while this phase was running.");

        var state = (await h.Store.GetSnapshotAsync())[1];
        Assert.Equal(1, interrupted);
        Assert.Equal(PhaseStatus.Interrupted, state.Status);
        Assert.Contains("stopped while this phase was running", state.LatestRun!.Reason);
        Assert.True(state.CanStart);
        Assert.True(state.CanResume);

        // The job that Hangfire may still deliver for the old run does nothing.
        Assert.False(await h.Store.MarkStartedAsync(run.Id));

        var resumed = await h.RunAsync(1, resume: true);
        Assert.Equal(PhaseStatus.Succeeded, resumed.Status);
        Assert.True(resumed.LatestRun!.Resume);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Resume_skips_the_checkpointed_steps_the_interrupted_run_completed(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        await h.RunAsync(1);
        var first = await h.RunAsync(2);
        Assert.Equal(PhaseStatus.Succeeded, first.Status);

        // Simulate a run of phase 2 that completed its step and then died.
        h.Scheduler.Execute = false;
        var cut = (await h.Phases.RequestAsync(new RunRequest(2))).Run!;
        await h.Store.MarkStartedAsync(cut.Id);
        await h.Store.AppendLogAsync(cut.Key, LogLevel.Info, "register-metadata", "Done.", completesStep: true);
        await h.Store.InterruptAbandonedRunsAsync("crash");
        h.Scheduler.Execute = true;

        var resumed = await h.RunAsync(2, resume: true);

        Assert.Equal(PhaseStatus.Succeeded, resumed.Status);
        Assert.Contains("Skipped: completed by the interrupted run", await h.LogTextAsync(resumed));
    }

    /// <summary>
    /// End to end: a step the phase itself completed (its "Done in" line records the completion) is skipped by the resume
    /// of the run interrupted after it, and the step it was in is run again.
    /// </summary>
    [Fact]
    public async Task A_step_a_phase_completed_before_it_was_interrupted_is_skipped_by_its_resume()
    {
        await using var h = await CoreHarness.StartAsync(options: o => o.TestStepDelayMs = "1000");
        var cut = (await h.Phases.RequestAsync(new RunRequest(Phase.First))).Run!;
        await Until.TrueAsync(async () => (await h.Store.GetLogAsync(cut.Id)).Any(l => l.Step == "workspace" && l.Message.StartsWith("Done in", StringComparison.Ordinal)),
            "phase 1 to complete its workspace step");
        h.Services.GetRequiredService<Cord19.Core.Execution.RunCancellations>().CancelAll("Stopped: interrupted by the test.");
        await h.Scheduler.WaitAsync(cut.Id);
        Assert.Equal(PhaseStatus.Interrupted, (await h.Store.FindRunAsync(cut.Id))!.Status);

        var resumed = await h.RunAsync(Phase.First, resume: true);

        Assert.Equal(PhaseStatus.Succeeded, resumed.Status);
        var log = await h.LogTextAsync(resumed);
        Assert.Contains("[workspace] Skipped: completed by the interrupted run.", log);
        Assert.DoesNotContain("[orchestrator] Skipped", log);
        Assert.Contains("[orchestrator] Done in", log);
    }

    /// <summary>
    /// A resume skips what the interrupted run completed, not what an earlier run of the phase did: its output may have
    /// been replaced since (the settings changed, say), and skipping the step would keep the stale one.
    /// </summary>
    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Resume_skips_only_what_the_interrupted_run_itself_completed(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        await h.RunAsync(1);
        Assert.Equal(PhaseStatus.Succeeded, (await h.RunAsync(2)).Status);

        // A run of phase 2 that died before it completed any step.
        h.Scheduler.Execute = false;
        var cut = (await h.Phases.RequestAsync(new RunRequest(2))).Run!;
        await h.Store.MarkStartedAsync(cut.Id);
        await h.Store.InterruptAbandonedRunsAsync("crash");
        h.Scheduler.Execute = true;

        var resumed = await h.RunAsync(2, resume: true);

        Assert.Equal(PhaseStatus.Succeeded, resumed.Status);
        Assert.DoesNotContain("Skipped", await h.LogTextAsync(resumed));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Deallocation_while_a_phase_runs_interrupts_it_and_ends_the_deployment(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        await h.RunAsync(1);
        h.Scheduler.Execute = false;
        await h.Phases.RequestAsync(new RunRequest(2));
        h.Scheduler.Execute = true;

        var deallocation = await h.RunAsync(7);

        var snapshot = await h.Store.GetSnapshotAsync();
        Assert.Equal(PhaseStatus.Succeeded, deallocation.Status);
        Assert.Equal(PhaseStatus.Interrupted, snapshot[2].Status);
        Assert.Contains("de-allocation", snapshot[2].LatestRun!.Reason);
        Assert.NotNull(snapshot.Deployment!.EndedAt);
        Assert.All(snapshot.Resources, r => Assert.NotNull(r.DeletedAt));

        // The next phase 1 starts a new deployment; the old one stays in the history.
        await h.RunAsync(1);
        Assert.Equal(2, (await h.Store.ListDeploymentsAsync()).Count);
        Assert.Equal(PhaseStatus.NotStarted, (await h.Store.GetSnapshotAsync())[2].Status);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Out_of_order_requests_are_refused_with_the_reason(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);

        var before = await h.Phases.RequestAsync(new RunRequest(3));
        await h.RunAsync(1);
        var skip = await h.Phases.RequestAsync(new RunRequest(3));
        var resumeNothing = await h.Phases.RequestAsync(new RunRequest(1, Resume: true));
        var unknown = await h.Phases.RequestAsync(new RunRequest(8));

        Assert.Contains("run phase 1 first", before.Refusal);
        Assert.Contains("needs phase 2", skip.Refusal);
        Assert.Contains("no interrupted or failed run to resume", resumeNothing.Refusal);
        Assert.Contains("no phase 8", unknown.Refusal);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Every_change_is_published_on_the_feed(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        var feed = h.Services.GetRequiredService<IDeploymentFeed>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<DeploymentChange>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in feed.WatchAsync(cts.Token))
            {
                seen.Add(change);
                if (change is PhaseRunChanged { Run.Status: PhaseStatus.Succeeded }) return;
            }
        });
        await Task.Delay(100);

        await h.RunAsync(1);
        await watching;

        Assert.Contains(seen, c => c is PhaseRunChanged { Run.Status: PhaseStatus.Running });
        Assert.Contains(seen, c => c is LogLineAdded l && l.Line.Message.Contains("Workspace ready"));
        Assert.Contains(seen, c => c is ResourcesChanged);
    }

    [Theory]
    [InlineData(CoreHarness.Postgres, 0)]
    // SQLite state is one panel's (the data folder's lock): a run under another name is this panel's own, from before a
    // rename (a new container's host name), and nothing else would ever end it.
    [InlineData(CoreHarness.Sqlite, 1)]
    public async Task A_restart_leaves_the_runs_of_other_instances_alone_on_PostgreSQL_only(string database, int interrupted)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        await h.StartedWithoutAJobAsync(Phase.First, h.StoreOfInstance("another-instance"));

        Assert.Equal(interrupted, await h.Store.InterruptAbandonedRunsAsync("restart"));
        Assert.Equal(interrupted == 0 ? PhaseStatus.Running : PhaseStatus.Interrupted, (await h.Store.GetSnapshotAsync())[1].Status);
    }

    [Theory]
    [InlineData(CoreHarness.Postgres, 0)]
    // SQLite: no other instance could have queued it, and its job finds it ended.
    [InlineData(CoreHarness.Sqlite, 1)]
    public async Task A_restart_leaves_a_run_no_instance_has_started_yet_to_its_job_on_PostgreSQL_only(string database, int interrupted)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        // Another instance's click, its job in the shared queue for the next free worker.
        h.Scheduler.Execute = false;
        var queued = (await h.Phases.RequestAsync(new RunRequest(Phase.First))).Run!;

        Assert.Equal(interrupted, await h.Store.InterruptAbandonedRunsAsync("restart"));
        Assert.Equal(interrupted == 0, await h.Store.MarkStartedAsync(queued.Id));
    }

    /// <summary>
    /// Text from elsewhere reaches the log and a run's reason: an instance's boot console and a remote command's output
    /// (the AWS target quotes their tails), a child program's lines. PostgreSQL refuses a NUL in text, so such a line
    /// would fail its write for good, and the end of a run would be retried for ever, holding a job worker, with the
    /// phase shown running; colour codes and other control characters print as boxes.
    /// </summary>
    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Control_characters_from_elsewhere_are_left_out_of_the_log_and_a_runs_reason(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        var run = await h.StartedWithoutAJobAsync(Phase.First);
        const string console = "\u001b[32m[  OK  ]\u001b[0m Started cloud-init.\u0000\u0000\r\n\tcloud-init: done\u0007";
        const string clean = "[  OK  ] Started cloud-init.\n\tcloud-init: done";

        var line = await h.Store.AppendLogAsync(new RunKey(run.Id, run.DeploymentId, run.PhaseNumber), LogLevel.Info, "launch", console);
        Assert.True(await h.Store.CompleteRunAsync(run.Id, PhaseStatus.Failed, "Airflow did not answer. The end of its first-boot log: " + console));

        Assert.Equal(clean, line.Message);
        Assert.Equal(clean, Assert.Single(await h.Store.GetLogAsync(run.Id)).Message);
        Assert.True(await h.Store.HasLoggedAsync(run.Id, "launch", console));
        var ended = (await h.Store.FindRunAsync(run.Id))!;
        Assert.Equal(PhaseStatus.Failed, ended.Status);
        Assert.Equal("Airflow did not answer. The end of its first-boot log: " + clean, ended.Reason);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Warming_up_the_write_path_keeps_nothing_and_publishes_nothing(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        h.Scheduler.Execute = false;
        var feed = h.Services.GetRequiredService<IDeploymentFeed>();

        // On a fresh database, as at a first start: still no deployment afterwards.
        await h.Store.WarmUpAsync();
        Assert.Null((await h.Store.GetSnapshotAsync()).Deployment);
        Assert.Empty(await h.Store.ListDeploymentsAsync());

        // Beside a running phase: it stays the one run, and its deployment the current one.
        var running = (await h.Phases.RequestAsync(new RunRequest(1))).Run!;
        var published = feed.Published;
        await h.Store.WarmUpAsync();

        var snapshot = await h.Store.GetSnapshotAsync();
        Assert.Equal(running.DeploymentId, snapshot.Deployment!.Id);
        Assert.Equal(running.Id, snapshot[1].LatestRun!.Id);
        Assert.Null(snapshot[1].LatestRun!.StartedAt);
        Assert.Single(await h.Store.ListDeploymentsAsync());
        Assert.Empty(await h.Store.GetLogAsync(running.Id));
        Assert.Equal(published, feed.Published);

        // And the next click is served as usual.
        var next = await h.Phases.RequestAsync(new RunRequest(7));
        Assert.True(next.Accepted, next.Refusal);
        Assert.Equal(running.Id, next.CancelledRunId);
    }
}
