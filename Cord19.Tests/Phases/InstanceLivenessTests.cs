using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Cord19.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cord19.Tests.Phases;

/// <summary>
/// Only the instance that runs a phase can end it. When that instance is gone for good (killed, its machine lost, its
/// container replaced under another name), the others must end the phase for it, or it shows "Running" for ever.
/// </summary>
public sealed class InstanceLivenessTests
{
    private static readonly TimeSpan SilentAfter = InstanceLivenessOptions.Default.SilentAfter;

    /// <summary>On SQLite, whose one instance is the only clock, a fake clock drives the rule; PostgreSQL's case is below.</summary>
    [Fact]
    public async Task A_phase_whose_instance_fell_silent_is_interrupted_naming_the_instance_and_when_it_was_last_heard()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));
        await using var h = await CoreHarness.StartAsync(clock, CoreHarness.Sqlite);
        var gone = h.StoreOfInstance("panel-b");
        var run = await h.StartedWithoutAJobAsync(Phase.First, gone);
        await gone.RecordAliveAsync();

        clock.Advance(SilentAfter - TimeSpan.FromSeconds(1));
        Assert.Empty(await h.Store.InterruptRunsOfSilentInstancesAsync(SilentAfter));
        await gone.RecordAliveAsync();
        clock.Advance(SilentAfter - TimeSpan.FromSeconds(1));
        Assert.Empty(await h.Store.InterruptRunsOfSilentInstancesAsync(SilentAfter));
        Assert.Equal(PhaseStatus.Running, (await h.Store.FindRunAsync(run.Id))!.Status);

        clock.Advance(TimeSpan.FromSeconds(2));
        var ended = Assert.Single(await h.Store.InterruptRunsOfSilentInstancesAsync(SilentAfter));

        Assert.Equal(run.Id, ended.Id);
        var state = (await h.Store.GetSnapshotAsync())[1];
        Assert.Equal(PhaseStatus.Interrupted, state.Status);
        Assert.True(state.CanResume);
        Assert.Equal("The instance panel-b that ran this phase has not been heard from since 2026-12-04 09:01:29 UTC (it stopped, or lost the " +
                     "state database), so nothing runs it any more. Resume it or run it again.", state.LatestRun!.Reason);
        Assert.Contains(await h.Store.GetLogAsync(run.Id), l => l.Level == LogLevel.Warning && l.Message == state.LatestRun.Reason);
        // Should that instance come back, its runner finds the run ended and lets go.
        Assert.False(await gone.CompleteRunAsync(run.Id, PhaseStatus.Succeeded, null));
    }

    /// <summary>
    /// Before, each instance wrote and judged heartbeats on its own clock: one two minutes behind had its phase ended
    /// while it said it was alive, and one two minutes ahead kept a silent instance's phase "Running" two minutes longer.
    /// </summary>
    [Theory]
    [InlineData(-120)]
    [InlineData(120)]
    public async Task On_PostgreSQL_silence_is_judged_on_its_clock_whatever_the_instances_clocks_say(int secondsAhead)
    {
        await using var h = await CoreHarness.StartAsync(database: CoreHarness.Postgres);
        var skewed = h.StoreOfInstance("panel-b", new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(secondsAhead)));
        var run = await h.StartedWithoutAJobAsync(Phase.First, skewed);
        await skewed.RecordAliveAsync();

        Assert.Empty(await h.Store.InterruptRunsOfSilentInstancesAsync(SilentAfter));
        Assert.Equal(PhaseStatus.Running, (await h.Store.FindRunAsync(run.Id))!.Status);

        // Silent since: ended once PostgreSQL's clock has moved on by the silence allowed (2 s here, to keep the test short).
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var ended = Assert.Single(await h.Store.InterruptRunsOfSilentInstancesAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(run.Id, ended.Id);
        Assert.StartsWith("The instance panel-b that ran this phase has not been heard from since ", ended.Reason);
    }

    /// <summary>
    /// Before, a request was stamped with its instance's clock: one two minutes behind had its click taken for a lost job
    /// by the next look of any other instance, and its run of a phase sorted before the run it followed.
    /// </summary>
    [Theory]
    [InlineData(-120)]
    [InlineData(120)]
    public async Task On_PostgreSQL_a_request_is_stamped_on_its_clock_whatever_the_instances_clock_says(int secondsAhead)
    {
        await using var h = await CoreHarness.StartAsync(database: CoreHarness.Postgres);
        Assert.Equal(PhaseStatus.Succeeded, (await h.RunAsync(Phase.First)).Status);
        var skewed = h.StoreOfInstance("panel-b", new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(secondsAhead)));

        var again = (await skewed.RequestRunAsync(new RunRequest(Phase.First), DeploymentTarget.Local, null, "{}")).Run!;

        Assert.Equal(again.Id, (await h.Store.GetSnapshotAsync())[Phase.First].LatestRun!.Id);
        Assert.Empty(await h.Store.InterruptRunsNeverStartedAsync(SilentAfter));
        // Never started: ended once PostgreSQL's clock has moved on by the time allowed (2 s here, to keep the test short).
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(again.Id, Assert.Single(await h.Store.InterruptRunsNeverStartedAsync(TimeSpan.FromSeconds(2))).Id);
    }

    /// <summary>On SQLite, whose one instance is the only clock, a fake clock drives the rule; PostgreSQL's case is above.</summary>
    [Fact]
    public async Task A_run_that_no_instance_started_in_time_lost_its_job_and_is_interrupted_saying_so()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));
        await using var h = await CoreHarness.StartAsync(clock, CoreHarness.Sqlite);
        var liveness = h.Services.GetRequiredService<InstanceLiveness>();
        h.Scheduler.Execute = false;
        var lost = (await h.Phases.RequestAsync(new RunRequest(Phase.First))).Run!;

        clock.Advance(SilentAfter - TimeSpan.FromSeconds(1));
        await liveness.LookAsync(CancellationToken.None);
        Assert.Equal(PhaseStatus.Running, (await h.Store.FindRunAsync(lost.Id))!.Status);

        clock.Advance(TimeSpan.FromSeconds(2));
        await liveness.LookAsync(CancellationToken.None);

        var state = (await h.Store.GetSnapshotAsync())[Phase.First];
        Assert.Equal(PhaseStatus.Interrupted, state.Status);
        Assert.Equal("No instance started this phase within 90 s of the request: its job was lost (the instance that took the request stopped " +
                     "before queuing it, or the job queue was cleared). Run it again.", state.LatestRun!.Reason);
        Assert.Contains(await h.Store.GetLogAsync(lost.Id), l => l.Level == LogLevel.Warning && l.Message == state.LatestRun.Reason);
        // The deployment's running slot is free again, and a job delivered late does nothing.
        Assert.False(await h.Store.MarkStartedAsync(lost.Id));
        h.Scheduler.Execute = true;
        Assert.Equal(PhaseStatus.Succeeded, (await h.RunAsync(Phase.First)).Status);
    }

    [Fact]
    public async Task The_name_of_an_instance_silent_for_a_day_is_forgotten_once_it_owns_no_running_phase()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CoreHarness.StartAsync(clock);
        var gone = h.StoreOfInstance("pod-7f9c");
        await gone.RecordAliveAsync();
        var running = await h.StartedWithoutAJobAsync(Phase.First, gone);
        await h.StoreOfInstance("pod-0001").RecordAliveAsync();
        clock.Advance(InstanceLivenessOptions.ForgottenAfter + TimeSpan.FromSeconds(1));

        // Forgetting pod-7f9c while its phase runs would make that phase look like an earlier release's, left running for ever.
        Assert.Equal(1, await h.Store.ForgetInstancesSilentForAsync(InstanceLivenessOptions.ForgottenAfter));
        Assert.Equal(["pod-7f9c"], await OtherInstancesAsync(h));

        // A look ends its phase (silent for a day), then forgets it.
        await h.Services.GetRequiredService<InstanceLiveness>().LookAsync(CancellationToken.None);
        Assert.Equal(PhaseStatus.Interrupted, (await h.Store.FindRunAsync(running.Id))!.Status);
        Assert.Empty(await OtherInstancesAsync(h));
    }

    private static async Task<List<string>> OtherInstancesAsync(CoreHarness h)
    {
        await using var db = await h.Services.GetRequiredService<IDbContextFactory<Cord19Db>>().CreateDbContextAsync();
        var self = h.Services.GetRequiredService<RunnerIdentity>().Name;
        return await db.Instances.Where(i => i.Name != self).OrderBy(i => i.Name).Select(i => i.Name).ToListAsync();
    }

    [Fact]
    public async Task Only_started_runs_of_other_instances_that_said_they_were_alive_are_ended()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CoreHarness.StartAsync(clock);
        var own = await h.StartedWithoutAJobAsync(Phase.First);
        clock.Advance(SilentAfter * 10);
        Assert.Empty(await h.Store.InterruptRunsOfSilentInstancesAsync(SilentAfter));
        Assert.True(await h.Store.CompleteRunAsync(own.Id, PhaseStatus.Succeeded, null));

        // Queued: no instance has it yet.
        h.Scheduler.Execute = false;
        var queued = (await h.Phases.RequestAsync(new RunRequest(Phase.First))).Run!;
        clock.Advance(SilentAfter * 10);
        Assert.Empty(await h.Store.InterruptRunsOfSilentInstancesAsync(SilentAfter));

        // Started by an instance of a release before this one, which never says it is alive: in a rolling upgrade it
        // may well still be running it, so it is left alone however long it runs.
        Assert.True(await h.StoreOfInstance("old-release").MarkStartedAsync(queued.Id));
        clock.Advance(SilentAfter * 10);
        Assert.Empty(await h.Store.InterruptRunsOfSilentInstancesAsync(SilentAfter));
        Assert.Equal(PhaseStatus.Running, (await h.Store.FindRunAsync(queued.Id))!.Status);

        // Once that name says it is alive (the instance upgraded), silence counts.
        await h.StoreOfInstance("old-release").RecordAliveAsync();
        clock.Advance(SilentAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(queued.Id, Assert.Single(await h.Store.InterruptRunsOfSilentInstancesAsync(SilentAfter)).Id);
    }

    [Fact]
    public async Task An_instance_that_cannot_reach_the_database_stops_its_own_phases_before_the_others_give_up_on_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CoreHarness.StartAsync(clock);
        var options = InstanceLivenessOptions.Default;
        var cancellations = h.Services.GetRequiredService<RunCancellations>();
        var liveness = new InstanceLiveness(h.Store, cancellations, options, clock, NullLogger<InstanceLiveness>.Instance);
        using var running = cancellations.Register(Guid.NewGuid(), CancellationToken.None);

        // Reachable: however long the phase runs, it is not stopped.
        for (var look = 0; look < 20; look++)
        {
            clock.Advance(options.Interval);
            await liveness.LookAsync(CancellationToken.None);
        }
        Assert.False(running.Token.IsCancellationRequested);

        // Unreachable (the table gone stands in for the database): the looks fail, and the phase stops before SilentAfter.
        await using (var db = await h.Services.GetRequiredService<IDbContextFactory<Cord19Db>>().CreateDbContextAsync())
            await db.Database.ExecuteSqlRawAsync("DROP TABLE \"Instances\"");
        var unheard = TimeSpan.Zero;
        while (!running.Token.IsCancellationRequested && unheard < SilentAfter * 2)
        {
            clock.Advance(options.Interval);
            unheard += options.Interval;
            await Assert.ThrowsAnyAsync<Exception>(() => liveness.LookAsync(CancellationToken.None));
        }
        Assert.InRange(unheard, options.StopOwnRunsAfter, SilentAfter - options.Interval);
        // Stopped once: a runner still writing its end keeps its registration, and is not counted again.
        Assert.Equal(0, cancellations.CancelAll("again"));
        Assert.StartsWith("Stopped: this instance had not reached the state database for 60 s", running.Reason);
    }

    [Fact]
    public async Task An_instance_whose_database_hangs_rather_than_refuses_also_stops_its_phases_in_time()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        SeverableTcpRelay? relay = null;
        await using var h = await CoreHarness.StartAsync(clock, CoreHarness.Postgres, options: o => relay = SeverableTcpRelay.ToPostgres(o));
        await using var quiet = relay!;
        var options = InstanceLivenessOptions.Default;
        var cancellations = h.Services.GetRequiredService<RunCancellations>();
        var liveness = new InstanceLiveness(h.Store, cancellations, options, clock, NullLogger<InstanceLiveness>.Instance);
        using var running = cancellations.Register(Guid.NewGuid(), CancellationToken.None);
        clock.Advance(options.Interval);
        await liveness.LookAsync(CancellationToken.None);

        // The database takes connections and never answers: each look ends when the next one is due, not when it answers.
        quiet.Hold();
        var unheard = TimeSpan.Zero;
        while (!running.Token.IsCancellationRequested && unheard < SilentAfter * 2)
        {
            var look = liveness.LookAsync(CancellationToken.None);
            clock.Advance(options.Interval);
            unheard += options.Interval;
            Assert.Same(look, await Task.WhenAny(look, Task.Delay(TimeSpan.FromSeconds(10))));
            await Assert.ThrowsAnyAsync<Exception>(() => look);
        }
        Assert.InRange(unheard, options.StopOwnRunsAfter, SilentAfter - options.Interval);
        Assert.StartsWith("Stopped: this instance had not reached the state database for 60 s", running.Reason);
        quiet.Mend();
    }

    [Theory]
    [InlineData(120)]
    [InlineData(-120)]
    [InlineData(0)]
    public async Task An_instance_whose_clock_is_off_from_PostgreSQLs_says_so(int secondsAhead)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(secondsAhead));
        await using var h = await CoreHarness.StartAsync(clock, CoreHarness.Postgres);
        var logger = new FakeLogger<InstanceLiveness>();
        var liveness = new InstanceLiveness(h.Store, h.Services.GetRequiredService<RunCancellations>(), InstanceLivenessOptions.Default, clock, logger);

        await liveness.LookAsync(CancellationToken.None);

        var errors = logger.Collector.GetSnapshot().Where(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Error).Select(r => r.Message).ToList();
        if (secondsAhead == 0)
        {
            Assert.Empty(errors);
            return;
        }
        var said = Assert.Single(errors);
        var direction = secondsAhead > 0 ? "ahead of" : "behind";
        var seconds = int.Parse(said.Split(' ')[4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith($"This instance's clock is {seconds} s {direction} PostgreSQL's.", said);
        // The fake clock stands still while the real one moves on: a second or two of the test itself.
        Assert.InRange(seconds, 115, 121);
        Assert.EndsWith("Keep the machines' clocks in sync (NTP).", said);
    }

    [Fact]
    public async Task Phase_7_does_not_wait_for_a_replaced_phase_whose_instance_fell_silent()
    {
        await using var h = await CoreHarness.StartAsync(options: o => o.TestInstanceSilentAfterMs = "600");
        var gone = h.StoreOfInstance("panel-b");
        var phase1 = await h.StartedWithoutAJobAsync(Phase.First, gone);
        await gone.RecordAliveAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));

        var waited = System.Diagnostics.Stopwatch.StartNew();
        var phase7 = (await h.Phases.RequestAsync(new RunRequest(Phase.Deallocation))).Run!;
        await h.Scheduler.WaitAsync(phase7.Id);

        Assert.Equal(PhaseStatus.Succeeded, (await h.Store.FindRunAsync(phase7.Id))!.Status);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"Phase 7 took {waited.Elapsed}: it waited for an instance that had fallen silent.");
        Assert.Contains(await h.Store.GetLogAsync(phase7.Id), l => l.Level == LogLevel.Warning
            && l.Message.StartsWith($"Not waiting for phase {phase1.PhaseNumber}: the instance panel-b that ran it has not been heard from since ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_runner_whose_run_another_instance_ended_lets_go_without_claiming_a_de_allocation_replaced_it()
    {
        await using var h = await CoreHarness.StartAsync(options: o => o.TestStepDelayMs = "300");
        var run = (await h.Phases.RequestAsync(new RunRequest(Phase.First))).Run!;
        await h.UntilStartedAsync(run.Id);
        await Task.Delay(50);

        // Another instance that has not heard from this one for a moment (a partition, as that instance sees it).
        Assert.Single(await h.StoreOfInstance("panel-b").InterruptRunsOfSilentInstancesAsync(TimeSpan.FromMilliseconds(10)));
        await h.Scheduler.WaitAsync(run.Id);

        var log = await h.Store.GetLogAsync(run.Id);
        Assert.Equal("Stopped: this run had been ended already, and its runner let go.", log[^1].Message);
        Assert.DoesNotContain(log, l => l.Message == PhaseRunner.StoppedAfterReplacement);
        Assert.Equal(PhaseStatus.Interrupted, (await h.Store.FindRunAsync(run.Id))!.Status);
    }
}
