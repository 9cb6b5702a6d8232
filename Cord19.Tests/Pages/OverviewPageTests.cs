using Bunit;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Live;
using Cord19.Core.Phases;
using Cord19.Tests.Support;
using Cord19.Web.Components.Pages;
using Cord19.Web.ServiceClient;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Cord19.Tests.Pages;

public sealed class OverviewPageTests : PageTestContext
{
    private readonly FakeDeploymentClient _client;

    public OverviewPageTests() : this(new FakeDeploymentClient()) { }

    private OverviewPageTests(FakeDeploymentClient client) : base(s => s.AddSingleton<IDeploymentClient>(client)) => _client = client;

    [Fact]
    public void Shows_the_seven_phases_and_only_phase_1_can_start_on_a_fresh_install()
    {
        var page = Render<Overview>();

        for (var n = 1; n <= 7; n++)
            Assert.Contains(Phase.Get(n).Name, page.Find($"[data-testid=phase-{n}]").TextContent);
        Assert.False(page.Find("[data-testid=phase-1-run]").HasAttribute("disabled"));
        Assert.True(page.Find("[data-testid=phase-2-run]").HasAttribute("disabled"));
        Assert.Contains("run phase 1 first", page.Find("[data-testid=phase-2-why-not]").TextContent);
        Assert.Contains("no deployment yet", page.Find("[data-testid=deployment]").TextContent);
    }

    [Fact]
    public void Showing_the_phases_has_the_first_click_prepared_once()
    {
        var page = Render<Overview>();
        page.Render();

        Assert.Equal(1, _client.Preparations);
    }

    [Fact]
    public void Clicking_a_phase_sends_the_request_and_shows_a_refusal()
    {
        var snackbars = RenderSnackbars();
        _client.Answer = _ => RunRequestOutcome.Refused("Phase 1 is already running.");
        var page = Render<Overview>();

        page.Find("[data-testid=phase-1-run]").Click();

        Assert.Equal(1, Assert.Single(_client.Requests).PhaseNumber);
        snackbars.WaitForAssertion(() => Assert.Contains("Phase 1 is already running.", snackbars.Markup), Patience);
    }

    /// <summary>Before, the whole page gave way to the error boundary's message.</summary>
    [Fact]
    public void A_click_the_state_database_cannot_take_is_said_where_it_was_and_the_page_stays()
    {
        var snackbars = RenderSnackbars();
        _client.Answer = _ => throw new StateDatabaseOutOfReachException(new TimeoutException());
        var page = Render<Overview>();

        page.Find("[data-testid=phase-1-run]").Click();

        snackbars.WaitForAssertion(() => Assert.Contains($"Phase 1 was not started: {StateDatabaseFailure.OutOfReach}", snackbars.Markup), Patience);
        Assert.False(page.Find("[data-testid=phase-1-run]").HasAttribute("disabled"));
    }

    [Fact]
    public void Phase_6_on_an_AWS_instance_shows_the_forecast_from_phase_5s_run_there_without_a_memory_judgement()
    {
        var measured = new Cord19.Core.Results.RunManifest(1, "manual__5", "subset", DateTime.UnixEpoch, "c", 1_500, 6, 30, "tsne",
            new Dictionary<string, object?>(), [new("tfidf", 30), new("topics", 60)]);
        _client.Forecast = new ProcessingForecast(Cord19.Core.Pipeline.ProcessingEstimate.From(200_000, measured)!, AvailableBytes: null);
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, Guid.NewGuid()), (5, PhaseStatus.Succeeded, Guid.NewGuid()));

        var page = Render<Overview>();

        Assert.Equal("On the instance: about 3 h 20 min for 200,000 documents; scaled from the step times of its run of 1,500.",
            page.Find("[data-testid=phase-6-forecast]").TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=phase-6-memory]"));
    }

    /// <summary>On an instance whose memory the run may not fit beside Airflow, the card warns before the click; the phase can still be run.</summary>
    [Fact]
    public void Phase_6_on_an_AWS_instance_too_small_for_its_peak_memory_is_warned_of_on_its_card_and_still_offered()
    {
        var measured = new Cord19.Core.Results.RunManifest(1, "manual__5", "subset", DateTime.UnixEpoch, "c", 1_500, 6, 30, "tsne",
            new Dictionary<string, object?>(), [new("tfidf", 30), new("topics", 60)]);
        var estimate = Cord19.Core.Pipeline.ProcessingEstimate.From(1_200_000, measured)!;
        _client.Forecast = new ProcessingForecast(estimate, AvailableBytes: null)
        {
            InstanceWarning = Cord19.Core.Targets.Aws.InstanceMemory.Shortfall(estimate, "m7i-flex.large", 8 * 1024),
        };
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, Guid.NewGuid()), (5, PhaseStatus.Succeeded, Guid.NewGuid()));

        var page = Render<Overview>();

        Assert.StartsWith("Processing the 1,200,000 documents needs about 4.9 GB of memory at peak, and the instance (m7i-flex.large, 8.6 GB) keeps about 4.0 GB for Airflow",
            page.Find("[data-testid=phase-6-memory]").TextContent.Trim());
        Assert.False(page.Find("[data-testid=phase-6-run]").HasAttribute("disabled"));
    }

    [Fact]
    public void Phase_6_on_an_AWS_instance_counts_its_time_left_from_when_it_began_following_the_DAG_run()
    {
        var measured = new Cord19.Core.Results.RunManifest(1, "manual__5", "subset", DateTime.UnixEpoch, "c", 1_500, 6, 30, "tsne",
            new Dictionary<string, object?>(), [new("tfidf", 30), new("topics", 60)]);
        _client.Forecast = new ProcessingForecast(Cord19.Core.Pipeline.ProcessingEstimate.From(200_000, measured)!, AvailableBytes: null);
        var run = Guid.NewGuid();
        var following = DateTime.UtcNow.AddMinutes(-20);
        _client.Logs[run] = [new LogLine(1, run, 6, following.AddSeconds(-30), LogLevel.Info, "trigger", "Started."),
                             new LogLine(2, run, 6, following, LogLevel.Info, Cord19.Core.Targets.Aws.AwsTarget.DagRunStep, "Started.")];
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, Guid.NewGuid()), (6, PhaseStatus.Running, run));

        var page = Render<Overview>();

        // 3 h 20 min forecast, 20 min of it gone.
        page.WaitForAssertion(() => Assert.Matches(@"^Running on the instance · about (3 h 0 min|2 h 59 min) left of the 3 h 20 min forecast$",
            page.Find("[data-testid=phase-6-progress]").TextContent.Trim()), Patience);
    }

    [Fact]
    public async Task Phase_6_shows_its_forecast_before_the_run_and_its_step_and_time_left_during_it()
    {
        var measured = new Cord19.Core.Results.RunManifest(1, "subset-1", "subset", DateTime.UnixEpoch, "c", 1_000, 6, 30, "tsne",
            new Dictionary<string, object?>(), [new("tfidf", 1), new("cluster", 2), new("topics", 3)]);
        _client.Forecast = new ProcessingForecast(Cord19.Core.Pipeline.ProcessingEstimate.From(100_000, measured)!, AvailableBytes: 400_000_000);
        var run = Guid.NewGuid();
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, Guid.NewGuid()), (5, PhaseStatus.Succeeded, Guid.NewGuid()));
        var page = Render<Overview>();

        Assert.Contains("about 10 min 0 s and 0.6 GB of memory at peak for 100,000 documents (0.4 GB available); scaled from the step times of a run of 1,000",
            page.Find("[data-testid=phase-6-forecast]").TextContent);
        Assert.Contains("needs about 0.6 GB of memory for 100,000 documents and this machine has 0.4 GB available", page.Find("[data-testid=phase-6-memory]").TextContent);

        var started = DateTime.UtcNow.AddSeconds(-20);
        _client.Logs[run] = [new LogLine(1, run, 6, started.AddSeconds(-100), LogLevel.Info, "tfidf", "Started."),
                             new LogLine(2, run, 6, started, LogLevel.Info, "cluster", "Started.")];
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, Guid.NewGuid()), (6, PhaseStatus.Running, run));
        // The page opened again mid-run (the fake's one channel feeds one page at a time).
        await DisposeComponentsAsync();
        var during = Render<Overview>();

        // Cluster is foreseen at 200 s and has run 20: 3 min left of it, then 300 s of topics.
        during.WaitForAssertion(() => Assert.Matches(@"Step 2 of 3 \(cluster\) · about (7 min 5[0-9]|8 min 0) s left", during.Find("[data-testid=phase-6-progress]").TextContent), Patience);
        Assert.Empty(during.FindAll("[data-testid=phase-6-forecast]"));
        _client.Push(new LogLineAdded(Snapshots.DeploymentId, new LogLine(3, run, 6, DateTime.UtcNow, LogLevel.Info, "topics", "Started.")));
        during.WaitForAssertion(() => Assert.Matches(@"Step 3 of 3 \(topics\) · about (4 min 5[0-9]|5 min 0) s left", during.Find("[data-testid=phase-6-progress]").TextContent), Patience);
    }

    [Fact]
    public void Pushed_changes_update_status_and_log_without_a_reload()
    {
        var run = Guid.NewGuid();
        var page = Render<Overview>();

        _client.Snapshot = Snapshots.With((1, PhaseStatus.Running, run));
        _client.Push(new PhaseRunChanged(Snapshots.DeploymentId, _client.Snapshot[1].LatestRun!));
        page.WaitForAssertion(() => Assert.Equal("Running", page.Find("[data-testid=phase-1-status]").TextContent.Trim()), Patience);

        _client.Push(new LogLineAdded(Snapshots.DeploymentId, new LogLine(1, run, 1, DateTime.UtcNow, LogLevel.Info, "workspace", "Workspace ready at /tmp/x.")));
        page.WaitForAssertion(() => Assert.Contains("Workspace ready at /tmp/x.", page.Find("[data-testid=step-log]").TextContent), Patience);

        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, run));
        _client.Push(new PhaseRunChanged(Snapshots.DeploymentId, _client.Snapshot[1].LatestRun!));
        page.WaitForAssertion(() => Assert.Equal("Succeeded", page.Find("[data-testid=phase-1-status]").TextContent.Trim()), Patience);
        Assert.False(page.Find("[data-testid=phase-2-run]").HasAttribute("disabled"));
    }

    /// <summary>Told that changes may have been missed (the feed lost PostgreSQL), the page reads the log shown again too.</summary>
    [Fact]
    public void Told_to_read_again_the_page_reads_the_log_again_with_the_lines_it_missed()
    {
        var run = Guid.NewGuid();
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Running, run));
        _client.Logs[run] = [new LogLine(1, run, 1, DateTime.UtcNow, LogLevel.Info, "workspace", "Started.")];
        var page = Render<Overview>();
        page.WaitForAssertion(() => Assert.Contains("Started.", page.Find("[data-testid=step-log]").TextContent), Patience);

        _client.Logs[run].Add(new LogLine(2, run, 1, DateTime.UtcNow, LogLevel.Info, "workspace", "A line whose push was lost."));
        _client.Push(ResourcesChanged.ReadAgain);

        page.WaitForAssertion(() => Assert.Contains("A line whose push was lost.", page.Find("[data-testid=step-log]").TextContent), Patience);
    }

    /// <summary>
    /// A read the state cannot answer keeps the page as it was read last, and says why: the cause and fix when the panel knows
    /// them (the database out of reach), and otherwise that the server log has it, never the third party's own words.
    /// </summary>
    [Fact]
    public void A_read_that_fails_keeps_the_phases_and_says_why_without_the_errors_own_words()
    {
        var run = Guid.NewGuid();
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Running, run));
        var page = Render<Overview>();

        _client.SnapshotFailure = new StateDatabaseOutOfReachException(new TimeoutException());
        _client.Push(new PhaseRunChanged(Snapshots.DeploymentId, _client.Snapshot[1].LatestRun!));
        page.WaitForAssertion(() => Assert.Contains(StateDatabaseFailure.OutOfReach, page.Find("[data-testid=page-error]").TextContent), Patience);
        Assert.Equal("Running", page.Find("[data-testid=phase-1-status]").TextContent.Trim());

        _client.SnapshotFailure = new InvalidOperationException("SQLite Error 11: 'database disk image is malformed'.");
        _client.Push(new PhaseRunChanged(Snapshots.DeploymentId, _client.Snapshot[1].LatestRun!));
        page.WaitForAssertion(() => Assert.Contains("server log", page.Find("[data-testid=page-error]").TextContent), Patience);
        Assert.DoesNotContain("SQLite", page.Markup);
        Assert.Equal("Running", page.Find("[data-testid=phase-1-status]").TextContent.Trim());

        _client.SnapshotFailure = null;
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, run));
        _client.Push(new PhaseRunChanged(Snapshots.DeploymentId, _client.Snapshot[1].LatestRun!));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=page-error]")), Patience);
    }

    /// <summary>
    /// A run requested elsewhere (another browser, the budget guard's phase 7) is the one the page follows; once the person
    /// picks another phase's log, that run's start does not take the page back.
    /// </summary>
    [Fact]
    public void A_run_requested_elsewhere_is_followed_until_the_person_picks_another_log()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, first));
        var page = Render<Overview>();
        page.WaitForAssertion(() => Assert.Contains("phase 1,", page.Find("[data-testid=log-title]").TextContent), Patience);

        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, first), (2, PhaseStatus.Running, second));
        _client.Push(new PhaseRunChanged(Snapshots.DeploymentId, _client.Snapshot[2].LatestRun! with { StartedAt = null }));
        page.WaitForAssertion(() => Assert.Contains("phase 2,", page.Find("[data-testid=log-title]").TextContent), Patience);

        page.Find("[data-testid=phase-1-log]").Click();
        page.WaitForAssertion(() => Assert.Contains("phase 1,", page.Find("[data-testid=log-title]").TextContent), Patience);
        _client.Push(new PhaseRunChanged(Snapshots.DeploymentId, _client.Snapshot[2].LatestRun!));
        page.WaitForAssertion(() => Assert.Equal(3, _client.SnapshotReads), Patience);
        Assert.Contains("phase 1,", page.Find("[data-testid=log-title]").TextContent);
    }

    [Fact]
    public void A_failed_phase_shows_its_reason_and_offers_resume()
    {
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, Guid.NewGuid()), (2, PhaseStatus.Failed, Guid.NewGuid()));

        var page = Render<Overview>();

        var reason = page.Find("[data-testid=phase-2-reason]");
        Assert.Contains("The metadata file is broken: fix it, then check it with cord19-pipeline check.", reason.TextContent);
        // A command in a reason (a fix's aws … line) is shown as code, as on the AWS page.
        Assert.Equal("cord19-pipeline check", reason.QuerySelector("code")?.TextContent);
        page.Find("[data-testid=phase-2-resume]").Click();
        Assert.True(Assert.Single(_client.Requests).Resume);
    }

    [Fact]
    public void Local_tear_down_shows_the_dry_run_and_asks_for_a_word_only_when_results_go_too()
    {
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, Guid.NewGuid()));
        _client.Plan = new DeallocationPlan(Snapshots.DeploymentId, DeploymentTarget.Local, null, null,
            [new PlannedDeletion("workspace", "/data/workspace", "Folder for the data lake", true, false, null)]);
        var dialogs = Render<MudDialogProvider>();
        var page = Render<Overview>();

        page.Find("[data-testid=teardown]").Click();

        // Keeping the results: the dry run and one click, no word to type.
        dialogs.WaitForAssertion(() => Assert.Single(dialogs.FindAll("[data-testid=plan-row]")), Patience);
        Assert.Contains("De-allocate this deployment?", dialogs.Markup);
        Assert.Empty(dialogs.FindAll("[data-testid=confirm-word]"));
        Assert.False(dialogs.Find("[data-testid=dialog-confirm]").HasAttribute("disabled"));

        // Deleting the results too: data is at stake, so a word is typed first.
        dialogs.Find("input[data-testid=dialog-delete-results], [data-testid=dialog-delete-results] input").Change(true);
        dialogs.WaitForAssertion(() => Assert.True(dialogs.Find("[data-testid=dialog-confirm]").HasAttribute("disabled")), Patience);
        dialogs.Find("input[data-testid=confirm-word], [data-testid=confirm-word] input").Input("delete results");
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-testid=dialog-confirm]").HasAttribute("disabled")), Patience);
        dialogs.Find("[data-testid=dialog-confirm]").Click();

        page.WaitForAssertion(() => Assert.Single(_client.Requests), Patience);
        Assert.Equal((7, true), (_client.Requests[0].PhaseNumber, _client.Requests[0].DeleteResults));
    }

    [Fact]
    public void After_de_allocation_the_teardown_buttons_are_disabled()
    {
        _client.Snapshot = Snapshots.Ended((1, PhaseStatus.Succeeded, Guid.NewGuid()), (7, PhaseStatus.Succeeded, Guid.NewGuid()));
        var page = Render<Overview>();

        Assert.True(page.Find("[data-testid=teardown]").HasAttribute("disabled"));
        Assert.True(page.Find("[data-testid=phase-7-run]").HasAttribute("disabled"));
        Assert.Contains("already de-allocated", page.Find("[data-testid=phase-7]").TextContent);
    }

    [Fact]
    public void Each_phase_card_shows_its_AWS_estimate()
    {
        _client.Estimates = [new Cord19.Core.Costs.CostEstimate.PhaseEstimate(2, 0.25, 0.0771m, null)];
        var page = Render<Overview>();
        Assert.Contains("On AWS: ≈ $0.077 for about 0.25 h", page.Find("[data-testid=phase-2-estimate]").TextContent);
    }

    [Fact]
    public void When_the_budget_guard_fired_the_page_says_why()
    {
        var snapshot = Snapshots.With((1, PhaseStatus.Succeeded, Guid.NewGuid()), (7, PhaseStatus.Running, Guid.NewGuid()));
        _client.Snapshot = snapshot with
        {
            Deployment = snapshot.Deployment! with { GuardTrippedAt = DateTime.UtcNow, GuardReason = "the budget guard: Cost $5.01 is 100 % of the $5.00 cap." },
        };

        var page = Render<Overview>();

        Assert.Contains("by the budget guard: Cost $5.01 is 100 % of the $5.00 cap.", page.Find("[data-testid=guard-alert]").TextContent);
        Assert.DoesNotContain("did not finish", page.Find("[data-testid=guard-alert]").TextContent);
    }

    [Fact]
    public void When_the_guard_s_phase_7_failed_the_page_says_it_will_be_asked_again_and_what_to_do()
    {
        var snapshot = Snapshots.With((1, PhaseStatus.Succeeded, Guid.NewGuid()), (7, PhaseStatus.Failed, Guid.NewGuid()));
        var phase7 = snapshot[7] with { LatestRun = snapshot[7].LatestRun! with { Reason = "AWS refused ec2:TerminateInstances (RequestLimitExceeded)." } };
        _client.Snapshot = snapshot with
        {
            Deployment = snapshot.Deployment! with { GuardTrippedAt = DateTime.UtcNow, GuardReason = "the budget guard: the 8 h lifetime is over." },
            Phases = [.. snapshot.Phases.Take(6), phase7],
        };

        var alert = System.Text.RegularExpressions.Regex.Replace(Render<Overview>().Find("[data-testid=guard-alert]").TextContent, @"\s+", " ");

        Assert.Contains("Phase 7 did not finish: AWS refused ec2:TerminateInstances (RequestLimitExceeded). The guard asks for it again 10 minutes after, up to 6 times", alert);
        Assert.Contains("run it yourself once its cause is dealt with", alert);
    }
}
