using System.Text.Json;
using System.Text.Json.Nodes;
using Cord19.Core.Airflow;
using Cord19.Core.Execution;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsTarget
{
    /// <summary>The step of phases 4 to 6 that follows the DAG run on the instance: the Overview counts phase 6's time left from its start.</summary>
    public const string DagRunStep = "dag-run";

    /// <summary>
    /// Phases 4 to 6: trigger the DAG through the Airflow client, follow the run to its end, then copy the results
    /// it published in the deployment's bucket (under Airflow's run id) into the panel's result store, so the
    /// charts show them now and they outlive the bucket.
    /// </summary>
    private async Task RunDagAsync(AwsRun run, string dagId, string? scope)
    {
        var (context, cloud, names) = run;
        var (instance, client) = await RequireAirflowAsync(run);
        var runs = await context.DeploymentRunsAsync();
        RequireDagsOn(instance, runs);
        await WarnIfLifetimeEndsFirstAsync(run, instance, runs, await ExpectRunAsync(run, instance));
        // The run id comes from the phase's attempt: a retried or resumed phase finds the DAG run it started instead of starting a second one.
        var runId = AwsNames.DagRunId(await context.AttemptRootAsync());
        // One outage for the phase: a silence that began at the trigger and goes on while the run is followed is one silence.
        var outage = new AirflowOutage(run, $"following {dagId} run {runId}", options.AirflowOutageLimit, clock);

        await context.StepAsync("trigger", async ct =>
        {
            var conf = scope is null ? new JsonObject() : PipelineDagRuns.Conf(scope);
            // The pipeline on the instance runs with this phase's settings, read from the bucket by the DAG's task.
            var settingsKey = $"{names.DeployPrefix}settings-phase{context.Phase.Number}.json";
            var forInstance = context.Settings with { MetadataPath = null, PriceBookJson = null };
            await using (var json = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(forInstance, SettingsStore.Json)))
                await cloud.UploadAsync(names.AccountBucket, settingsKey, json, ct);
            conf["settings"] = $"s3://{names.Bucket}/{settingsKey}";
            // Tried again through a silence: a trigger that reached Airflow unanswered meets its own run id (409) and follows it.
            await AskAirflowAsync(context, outage, $"Airflow taking {dagId} run {runId}", async look =>
            {
                try
                {
                    var started = await client.TriggerAsync(dagId, new AirflowTrigger(conf, runId, $"Phase {context.Phase.Number} from the CORD-19 control panel"), look);
                    await context.LogAsync($"Triggered {dagId} run {started.RunId} with conf {conf.ToJsonString()}.");
                }
                catch (AirflowException ex) when (ex.Problem == AirflowProblem.Conflict)
                {
                    var existing = await client.GetRunAsync(dagId, runId, look);
                    await context.LogAsync($"{dagId} run {runId} exists already ({existing.State}): following it rather than starting a second run.");
                    if (existing.State == "failed")
                    {
                        // Retrying the phase retries the run's failed tasks; the tasks that succeeded keep their results.
                        var cleared = await client.ClearFailedTasksAsync(dagId, runId, look);
                        await context.LogAsync($"Cleared its {cleared} failed task{(cleared == 1 ? "" : "s")} so Airflow runs them again.");
                    }
                }
                return runId;
            });
        });

        await context.StepAsync(DagRunStep, async _ =>
        {
            var finished = await Poll.UntilAsync(context, $"{dagId} run {runId} finishing", options.DagRunLimit, ct => outage.LookAsync(async token =>
            {
                var state = await client.GetRunAsync(dagId, runId, token);
                return state.IsFinished ? state : null;
            }, ct));
            var tasks = await AskAirflowAsync(context, outage, $"the tasks of {dagId} run {runId}", token => client.ListTasksAsync(dagId, runId, token));
            foreach (var task in tasks)
                await context.LogAsync($"Task {task.TaskId}: {task.State ?? "no state"}{(task.DurationSeconds is { } s ? $" in {s:0.0} s" : "")}.");
            if (finished.State == "success") return;
            // The task that failed, whose log says why: one marked upstream_failed only followed a failure, never ran, and has no log.
            var failed = tasks.FirstOrDefault(t => t.State == "failed") ?? tasks.FirstOrDefault(t => t.IsFailed);
            throw new PhaseFailedException(
                $"{dagId} run {runId} {finished.State}" + (failed is null ? "" : $" at task {failed.TaskId}") +
                ". Read the task's log on the Airflow page, fix the cause, then retry the failed tasks there or run this phase again.");
        });

        await context.StepAsync("results", async ct =>
        {
            var copied = await results.CopyRunsFromAsync(cloud.Objects(names.AccountBucket, names.ResultsPrefix), ct);
            await context.LogAsync($"Results in s3://{names.Bucket}/{names.ResultsPrefix}; {copied} files copied to {results.Location} for the charts.");
        });
    }

    /// <summary>A replacement phase 3 has not set up (<see cref="DagsOnInstance"/>): said now, instead of Airflow's "DAG not found".</summary>
    private static void RequireDagsOn(InstanceState instance, IReadOnlyList<Deployments.PhaseRun> runs)
    {
        if (DagsOnInstance.InstalledBeforeLaunch(instance, runs) is { } at)
            throw new PhaseFailedException(
                $"The instance {instance.InstanceId} was launched at {instance.LaunchedAt!.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC, after phase 3 last installed the DAGs " +
                $"({at:yyyy-MM-dd HH:mm} UTC, on the instance it replaced), so its Airflow has none. Run phase 3, then this phase.");
    }

    /// <summary>How long a phase's run should take, and what says so (a sentence for the log).</summary>
    private sealed record ExpectedRun(TimeSpan Time, string Basis);

    /// <summary>
    /// Phase 6's run is forecast from the step times of the largest run the instance made of the same corpus (phase 5's
    /// subset at least), read from the deployment's bucket: the same machine, measured, where Settings' hours are a guess
    /// made before the instance type or the corpus was known. The forecast is said in the log. The other phases, and
    /// phase 6 when the bucket holds no such run or cannot be read, go by Settings' hours.
    /// </summary>
    private async Task<ExpectedRun> ExpectRunAsync(AwsRun run, InstanceState instance)
    {
        var (context, cloud, names) = run;
        var hours = context.Settings.ExpectedPhaseHours[context.Phase.Number - 1];
        var bySettings = new ExpectedRun(TimeSpan.FromHours(hours), $"Settings expect this phase to take about {hours:0.##} h");
        if (context.Phase.Number != 6) return bySettings;
        try
        {
            if (await InstanceProcessingForecasts.ReadAsync(cloud, names, names.AccountBucket, context.Cancellation) is not { } estimate) return bySettings;
            var forecast = $"Processing the {estimate.Documents:N0} documents should take about {Durations.Say(estimate.Total)} on the instance " +
                           $"(scaled from the step times of its run {estimate.MeasuredRun} of {estimate.MeasuredDocuments:N0})";
            await context.LogAsync($"{forecast}.");
            if (await InstanceMemory.ShortfallAsync(cloud, names.DeploymentId, instance, context.Settings.InstanceType, estimate, context.Cancellation) is { } shortfall)
                await context.LogAsync(shortfall, Deployments.LogLevel.Warning);
            return new(estimate.Total, forecast);
        }
        catch (Cord19Exception ex)
        {
            await context.LogAsync($"Going by Settings' {hours:0.##} h for this phase: phase 5's run on the instance could not be read from the bucket to forecast it. {ex.Message}",
                Deployments.LogLevel.Warning);
            return bySettings;
        }
    }

    /// <summary>
    /// A run the instance's maximum lifetime will cut off is said before it starts: the deadline was fixed at the first
    /// boot, so neither Settings nor a later phase moves it, and the run would end with the instance.
    /// </summary>
    private async Task WarnIfLifetimeEndsFirstAsync(AwsRun run, InstanceState instance, IReadOnlyList<Deployments.PhaseRun> runs, ExpectedRun expected)
    {
        var context = run.Context;
        if (InstanceEndOfLife.Deadline(instance, runs) is not { } end) return;
        var left = end - clock.GetUtcNow();
        if (left >= expected.Time) return;
        var when = left <= TimeSpan.Zero ? "now" : $"in {Durations.Say(left)}";
        await context.LogAsync(
            $"The instance ends itself about {end:yyyy-MM-dd HH:mm} UTC, {when}: the maximum lifetime its first boot was given. {expected.Basis}, " +
            "so the run may be cut off with it. That deadline cannot move; for a longer run, run phase 7, " +
            "raise the maximum lifetime in Settings and deploy again.", Deployments.LogLevel.Warning);
    }
}
