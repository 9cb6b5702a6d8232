using Cord19.Core.Airflow;
using Cord19.Core.Pipeline;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// Phases 4 to 6 against the target's seam: a DAG run followed to its end, a failed run retried from its failed tasks,
/// and a failure that names the task whose log says why.
/// </summary>
public sealed class AwsDagRunTests
{
    private const string Dag = PipelineDefinition.PreprocessingDag;

    private static async Task<AwsTargetHarness> ReadyForPhaseFourAsync(params AirflowTaskInstance[] tasksOfTheRun)
    {
        var h = await AwsTargetHarness.StartAsync();
        ReadyDags(h);
        h.Airflow.TasksOfNewRuns[Dag] = tasksOfTheRun;
        for (var phase = 1; phase <= 3; phase++) Succeeded(await h.Core.RunAsync(phase), "");
        return h;
    }

    private static AirflowTaskInstance Task(string id, string? state) => new(id, state, 1, null, null, 2.0);

    [Fact]
    public async Task A_run_still_going_is_followed_until_it_ends()
    {
        await using var h = await ReadyForPhaseFourAsync(Task("preprocess", "running"));
        var finish = System.Threading.Tasks.Task.Run(async () =>
        {
            await Until.TrueAsync(() => h.Airflow.Runs.GetValueOrDefault(Dag) is [var run] && h.Airflow.Calls.Count(c => c == $"run {run.RunId}") >= 3,
                "phase 4 to look at its run three times");
            h.Airflow.SetTasks(h.Airflow.Runs[Dag][0].RunId, Task("preprocess", "success"));
        });

        var state = await h.Core.RunAsync(4);
        await finish;

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Contains("Task preprocess: success in 2.0 s.", await h.Core.LogTextAsync(state));
    }

    [Fact]
    public async Task A_phase_run_again_after_its_run_failed_has_Airflow_run_the_failed_tasks_again_in_the_same_run()
    {
        await using var h = await ReadyForPhaseFourAsync(Task("preprocess", "success"), Task("vectorise", "failed"));
        FailedSaying(await h.Core.RunAsync(4), "failed at task vectorise");
        h.Airflow.ClearedTasksEndAs = "success";

        var again = await h.Core.RunAsync(4);

        Succeeded(again, await h.Core.LogTextAsync(again));
        var run = Assert.Single(h.Airflow.Runs[Dag]);
        Assert.Contains($"clear {run.RunId}", h.Airflow.Calls);
        var log = await h.Core.LogTextAsync(again);
        Assert.Contains("exists already (failed): following it rather than starting a second run.", log);
        Assert.Contains("Cleared its 1 failed task so Airflow runs them again.", log);
        Assert.Equal(1, h.Airflow.Tasks[run.RunId].Single(t => t.TaskId == "preprocess").TryNumber); // what succeeded is kept
    }

    [Fact]
    public async Task A_failed_run_names_the_task_that_failed_not_one_that_only_followed_it()
    {
        // Airflow lists a run's tasks by id, not in the order they ran.
        await using var h = await ReadyForPhaseFourAsync(Task("a_report", "upstream_failed"), Task("b_vectorise", "failed"));

        var state = await h.Core.RunAsync(4);

        FailedSaying(state, "failed at task b_vectorise. Read the task's log on the Airflow page");
    }

    [Fact]
    public async Task A_run_failed_with_no_failed_task_says_so_without_naming_one()
    {
        // A run that hit its DAG's timeout, or was marked failed by hand: its tasks did not fail.
        await using var h = await ReadyForPhaseFourAsync(Task("preprocess", "running"));
        var marked = System.Threading.Tasks.Task.Run(async () =>
        {
            await Until.TrueAsync(() => h.Airflow.Runs.GetValueOrDefault(Dag) is [_], "phase 4 to trigger its run");
            h.Airflow.RunStateOf[h.Airflow.Runs[Dag][0].RunId] = "failed";
        });

        var state = await h.Core.RunAsync(4);
        await marked;

        FailedSaying(state, $"run {h.Airflow.Runs[Dag][0].RunId} failed. Read the task's log on the Airflow page, fix the cause");
        Assert.DoesNotContain("at task", state.LatestRun!.Reason);
    }
}
