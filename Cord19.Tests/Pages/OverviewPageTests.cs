using Bunit;
using Cord19.Core.Deployments;
using Cord19.Core.Live;
using Cord19.Core.Phases;
using Cord19.Tests.Support;
using Cord19.Web.Components.Pages;
using Cord19.Web.ServiceClient;
using Microsoft.Extensions.DependencyInjection;

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
    public void Clicking_a_phase_sends_the_request_and_shows_a_refusal()
    {
        var snackbars = RenderSnackbars();
        _client.Answer = _ => RunRequestOutcome.Refused("Phase 1 is already running.");
        var page = Render<Overview>();

        page.Find("[data-testid=phase-1-run]").Click();

        Assert.Equal(1, Assert.Single(_client.Requests).PhaseNumber);
        snackbars.WaitForAssertion(() => Assert.Contains("Phase 1 is already running.", snackbars.Markup), Patience);
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

    [Fact]
    public void A_failed_phase_shows_its_reason_and_offers_resume()
    {
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, Guid.NewGuid()), (2, PhaseStatus.Failed, Guid.NewGuid()));

        var page = Render<Overview>();

        Assert.Contains("The metadata file is broken: fix it.", page.Find("[data-testid=phase-2-reason]").TextContent);
        page.Find("[data-testid=phase-2-resume]").Click();
        Assert.True(Assert.Single(_client.Requests).Resume);
    }

    [Fact]
    public void Tear_down_requests_deallocation_with_the_delete_results_choice()
    {
        _client.Snapshot = Snapshots.With((1, PhaseStatus.Succeeded, Guid.NewGuid()));
        var page = Render<Overview>();

        page.Find("[data-testid=phase-7] input[type=checkbox]").Change(true);
        page.Find("[data-testid=teardown]").Click();

        var request = Assert.Single(_client.Requests);
        Assert.Equal(7, request.PhaseNumber);
        Assert.True(request.DeleteResults);
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
    }
}
