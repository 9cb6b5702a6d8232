using Bunit;
using Cord19.Core.Airflow;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Airflow;
using Cord19.Web.Components.Pages;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Pages;

public sealed class DagsPageTests : PageTestContext
{
    private readonly FakeAirflowClient _airflow;
    private readonly AirflowRunWatcher _watcher;

    public DagsPageTests() : this(new FakeAirflowClient()) { }

    // Quick ticks so that a test sees the grid follow Airflow within its patience.
    private DagsPageTests(FakeAirflowClient airflow) : this(airflow, new AirflowRunWatcher(airflow, TimeProvider.System,
        new AirflowRunWatcher.Timing(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)))) { }

    private DagsPageTests(FakeAirflowClient airflow, AirflowRunWatcher watcher) : base(services =>
    {
        services.AddSingleton<IAirflowClient>(airflow);
        services.AddSingleton(watcher);
    })
    {
        _airflow = airflow;
        _watcher = watcher;
        _airflow.Dags.AddRange([
            new AirflowDag("cord19_preprocessing", "cord19_preprocessing", true, "CORD-19 pipeline: preprocess", ["cord19"], false),
            new AirflowDag("cord19_processing", "cord19_processing", true, "CORD-19 pipeline: sample, tfidf, …", ["cord19"], false),
        ]);
    }

    private static AirflowTaskInstance Task(string id, string? state, int tryNumber = 1) => new(id, state, tryNumber, DateTimeOffset.UtcNow, null, 3);

    [Fact]
    public void Lists_the_dags_with_the_server_and_its_health()
    {
        var page = Render<Dags>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=dag-row]").Count), Patience);
        Assert.Contains("Airflow 3.1.0 · API v2", page.Find("[data-testid=airflow-server]").TextContent);
        Assert.Contains("scheduler healthy", page.Find("[data-testid=airflow-health]").TextContent);
        Assert.Equal(2, page.FindAll("[data-testid=trigger-subset]").Count);
    }

    [Fact]
    public void Without_airflow_the_page_says_how_to_configure_one()
    {
        _airflow.Failure = new AirflowException(AirflowProblem.NotConfigured, UnconfiguredAirflowClient.Message);
        var page = Render<Dags>();

        page.WaitForAssertion(() => Assert.Contains("CORD19_AIRFLOW_URL", page.Find("[data-testid=airflow-problem]").TextContent), Patience);
        Assert.Empty(page.FindAll("[data-testid=dag-row]"));
    }

    [Fact]
    public void Triggering_previews_the_conf_refuses_broken_json_and_then_follows_the_run_live()
    {
        var page = Render<Dags>();
        page.WaitForElement("[data-testid=trigger-full]", Patience);
        page.FindAll("[data-testid=trigger-full]")[1].Click();

        // The preview is exactly what will be sent.
        var conf = page.Find("[data-testid=trigger-panel] textarea");
        Assert.Contains("\"scope\": \"full\"", conf.GetAttribute("value") ?? conf.TextContent);

        conf.Change("{\"scope\": \"full\",");
        page.Find("[data-testid=trigger-confirm]").Click();
        page.WaitForAssertion(() => Assert.Contains("not valid JSON", page.Find("[data-testid=trigger-panel]").TextContent), Patience);
        Assert.DoesNotContain(_airflow.Calls, c => c.StartsWith("trigger"));

        page.Find("[data-testid=trigger-panel] textarea").Change("{\"scope\": \"full\", \"metadata\": \"/data/metadata.csv\"}");
        _airflow.SetTasks("manual__0", Task("process", "queued", 0));
        page.Find("[data-testid=trigger-confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal("queued", page.Find("[data-testid=task-state]").TextContent.Trim()), Patience);
        Assert.Equal("/data/metadata.csv", _airflow.LastTrigger!.Conf["metadata"]!.GetValue<string>());

        // Airflow moves on; the grid follows without a click.
        _airflow.SetTasks("manual__0", Task("process", "running"));
        page.WaitForAssertion(() => Assert.Equal("running", page.Find("[data-testid=task-state]").TextContent.Trim()), Patience);
        _airflow.SetTasks("manual__0", Task("process", "success"));
        page.WaitForAssertion(() => Assert.Equal("success", page.Find("[data-testid=run-state]").TextContent.Trim()), Patience);
    }

    [Fact]
    public void A_failed_task_can_be_retried_and_its_log_read_page_by_page()
    {
        var run = new AirflowDagRun("cord19_processing", "manual__1", "failed", null, DateTimeOffset.UtcNow, null, null);
        _airflow.Runs["cord19_processing"] = [run];
        _airflow.SetTasks("manual__1", Task("process", "failed"));
        _airflow.LogPages.AddRange([
            new AirflowLogPage([new AirflowLogLine(null, "error", "InvalidDataException: metadata.csv has no abstract column")], "1"),
            new AirflowLogPage([new AirflowLogLine(null, null, "Task exited with return code 3")], "2"),
            new AirflowLogPage([], "3"),
        ]);
        var page = Render<Dags>();
        page.WaitForElement("[data-testid=select-dag]", Patience);
        page.FindAll("[data-testid=select-dag]")[1].Click();
        page.WaitForElement("[data-testid=select-run]", Patience).Click();
        page.WaitForAssertion(() => Assert.Equal("failed", page.Find("[data-testid=task-state]").TextContent.Trim()), Patience);

        page.Find("[data-testid=show-log]").Click();
        page.WaitForAssertion(() => Assert.Contains("no abstract column", page.Find("[data-testid=log-lines]").TextContent), Patience);
        // A page Airflow fails to give is asked for again; what was read stays meanwhile.
        _airflow.FailureOf = call => call == "log process 1 1" ? new AirflowException(AirflowProblem.TimedOut, "Airflow did not answer within 30 s.") : null;
        page.Find("[data-testid=log-more]").Click();
        page.WaitForAssertion(() => Assert.Contains("did not answer", page.Find("[data-testid=log-problem]").TextContent), Patience);
        Assert.Contains("no abstract column", page.Find("[data-testid=log-lines]").TextContent);
        _airflow.FailureOf = null;
        page.Find("[data-testid=log-more]").Click();
        page.WaitForAssertion(() => Assert.Contains("return code 3", page.Find("[data-testid=log-lines]").TextContent), Patience);
        Assert.Empty(page.FindAll("[data-testid=log-problem]"));
        page.Find("[data-testid=log-more]").Click();
        // An empty page ends the paging, and what was read stays.
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=log-more]")), Patience);
        Assert.Contains("no abstract column", page.Find("[data-testid=log-lines]").TextContent);

        page.Find("[data-testid=retry-failed]").Click();
        page.WaitForAssertion(() => Assert.Equal("no status", page.Find("[data-testid=task-state]").TextContent.Trim()), Patience);
        Assert.Contains("clear manual__1", _airflow.Calls);
    }

    [Fact]
    public void Pausing_is_a_switch_that_reports_what_airflow_says()
    {
        var page = Render<Dags>();
        page.WaitForElement("input[data-testid=dag-active]", Patience);

        page.FindAll("input[data-testid=dag-active]")[0].Change(true);

        page.WaitForAssertion(() => Assert.Contains("paused cord19_preprocessing False", _airflow.Calls), Patience);
        Assert.False(_airflow.Dags[0].IsPaused);

        _airflow.Failure = new AirflowException(AirflowProblem.Forbidden, "Could not pause DAG: the Airflow user may not do this (403).");
        page.FindAll("input[data-testid=dag-active]")[0].Change(false);
        page.WaitForAssertion(() => Assert.Contains("(403)", page.Find("[data-testid=airflow-problem]").TextContent), Patience);
    }

    protected override ValueTask DisposeTestResourcesAsync()
    {
        _watcher.Dispose();
        return ValueTask.CompletedTask;
    }
}
