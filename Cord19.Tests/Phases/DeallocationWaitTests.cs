using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Cord19.Tests.Support;

namespace Cord19.Tests.Phases;

/// <summary>
/// A de-allocation deletes nothing while a phase it replaced is still stopping, wherever that phase runs: another
/// instance's phase is seen to stop only through the state (its runner writes <see cref="PhaseRunner.StoppedAfterReplacement"/>),
/// and may take a while (phase 2 pauses its cluster on its way out).
/// </summary>
public sealed class DeallocationWaitTests
{
    [Fact]
    public async Task Phase_7_waits_for_a_replaced_phase_of_another_instance_to_say_it_stopped()
    {
        await using var harness = await CoreHarness.StartAsync();
        // Phase 1 as another instance runs it: started, executed by no runner of this process.
        var phase1 = await harness.StartedWithoutAJobAsync(Phase.First);

        var phase7 = (await harness.Phases.RequestAsync(new RunRequest(Phase.Deallocation))).Run!;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var stopped = await harness.Store.AppendLogAsync(phase1.Key, LogLevel.Info, "phase", PhaseRunner.StoppedAfterReplacement);
        await harness.Scheduler.WaitAsync(phase7.Id);

        var log = await harness.Store.GetLogAsync(phase7.Id);
        Assert.Equal(PhaseStatus.Succeeded, (await harness.Store.FindRunAsync(phase7.Id))!.Status);
        Assert.Contains(log, l => l.Step != "phase");
        Assert.All(log.Where(l => l.Step != "phase"), l => Assert.True(l.At >= stopped.At,
            $"Phase 7 wrote '{l.Message}' at {l.At:O}, before phase 1 stopped at {stopped.At:O}."));
        Assert.DoesNotContain(log, l => l.Message.Contains("had not stopped", StringComparison.Ordinal));
        // Said once, not at each look (four a second).
        Assert.Single(log, l => l.Step == "phase" && l.Message.StartsWith("Waiting for phase", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Step == "phase" && l.Message == $"Waiting for phase 1 (run by the instance {Environment.MachineName}) to stop before deleting anything.");
    }

    /// <summary>
    /// A de-allocation replaced (or the panel stopping) while it waits for another phase to stop: it waited out its
    /// minute before, holding the de-allocation that replaced it as long.
    /// </summary>
    [Fact]
    public async Task A_waiting_phase_7_that_is_replaced_stops_waiting_at_once()
    {
        await using var harness = await CoreHarness.StartAsync();
        var phase1 = await harness.StartedWithoutAJobAsync(Phase.First);
        var first = (await harness.Phases.RequestAsync(new RunRequest(Phase.Deallocation))).Run!;
        await Until.TrueAsync(async () => (await harness.Store.GetLogAsync(first.Id)).Any(l => l.Message.StartsWith("Waiting for phase 1", StringComparison.Ordinal)),
            "phase 7 to wait for phase 1");

        var replacing = (await harness.Phases.RequestAsync(new RunRequest(Phase.Deallocation))).Run!;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        await harness.Scheduler.WaitAsync(first.Id);

        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"The replaced phase 7 took {waited.Elapsed} to stop: it waited out its minute.");
        Assert.Equal(PhaseStatus.Interrupted, (await harness.Store.FindRunAsync(first.Id))!.Status);
        Assert.DoesNotContain(await harness.Store.GetLogAsync(first.Id), l => l.Message.Contains("de-allocating anyway", StringComparison.Ordinal));
        await harness.Store.AppendLogAsync(phase1.Key, LogLevel.Info, "phase", PhaseRunner.StoppedAfterReplacement);
        await harness.Scheduler.WaitAsync(replacing.Id);
        Assert.Equal(PhaseStatus.Succeeded, (await harness.Store.FindRunAsync(replacing.Id))!.Status);
    }

    [Fact]
    public async Task A_replaced_run_that_never_started_is_not_waited_for()
    {
        await using var harness = await CoreHarness.StartAsync();
        harness.Scheduler.Execute = false;
        var queued = (await harness.Phases.RequestAsync(new RunRequest(Phase.First))).Run!;
        harness.Scheduler.Execute = true;

        var phase7 = (await harness.Phases.RequestAsync(new RunRequest(Phase.Deallocation))).Run!;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        await harness.Scheduler.WaitAsync(phase7.Id);

        Assert.Equal(PhaseStatus.Interrupted, (await harness.Store.FindRunAsync(queued.Id))!.Status);
        Assert.Equal(PhaseStatus.Succeeded, (await harness.Store.FindRunAsync(phase7.Id))!.Status);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"Phase 7 took {waited.Elapsed}: it waited for a run that never started.");
    }
}
