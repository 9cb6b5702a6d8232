using Bunit;
using Cord19.Core.Aws;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Aws;
using Cord19.Web.Components.Pages;
using Cord19.Web.ServiceClient;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Cord19.Tests.Pages;

/// <summary>The AWS page, the AWS status panel and de-allocation's confirmation dialog, fed by fake clients.</summary>
public sealed class AwsPageTests : PageTestContext
{
    private readonly FakeDeploymentClient _deployments;
    private readonly FakeAwsClient _aws;

    public AwsPageTests() : this(new FakeDeploymentClient(), new FakeAwsClient()) { }

    private AwsPageTests(FakeDeploymentClient deployments, FakeAwsClient aws) : base(s =>
    {
        s.AddSingleton<IDeploymentClient>(deployments);
        s.AddSingleton<IAwsClient>(aws);
    }) => (_deployments, _aws) = (deployments, aws);

    private static DeploymentSnapshot AwsDeployment(params (int Phase, PhaseStatus Status)[] runs)
    {
        var snapshot = Snapshots.With(runs.Select(r => (r.Phase, r.Status, Guid.NewGuid())).ToArray());
        return snapshot with { Deployment = snapshot.Deployment! with { Target = DeploymentTarget.Aws } };
    }

    /// <summary>A failure at night is the other moment a server is forgotten: the instance bills on until phase 7.</summary>
    [Fact]
    public void An_AWS_deployment_whose_latest_phase_stopped_part_way_says_it_bills_until_phase_7()
    {
        var instance = new ResourceView(Guid.NewGuid(), AwsResourceKinds.Instance, "token", "i-0abc: m5.xlarge spot", DateTime.UtcNow.AddHours(-2), null);
        DeploymentSnapshot Latest(DeploymentSnapshot snapshot, int phase) => snapshot with
        {
            Resources = [instance],
            Phases = [.. snapshot.Phases.Select(p => p.Phase.Number == phase ? p with { LatestRun = p.LatestRun! with { RequestedAt = DateTime.UtcNow } } : p)],
        };
        string? Alert() => Render<Overview>().FindAll("[data-testid=stopped-but-billing]").SingleOrDefault() is { } alert
            ? System.Text.RegularExpressions.Regex.Replace(alert.TextContent, @"\s+", " ").Trim()
            : null;
        (int, PhaseStatus)[] fourFailed = [(1, PhaseStatus.Succeeded), (2, PhaseStatus.Succeeded), (3, PhaseStatus.Succeeded), (4, PhaseStatus.Failed)];

        _deployments.Snapshot = Latest(AwsDeployment(fourFailed), 4);
        Assert.StartsWith("Phase 4 failed, and this AWS deployment bills by the hour until phase 7: its instance", Alert());
        Assert.Contains("Run phase 4 again once its cause is dealt with", Alert());

        _deployments.Snapshot = Latest(AwsDeployment([.. fourFailed[..3], (4, PhaseStatus.Interrupted)]), 4);
        Assert.StartsWith("Phase 4 was interrupted, and", Alert());

        // Nothing to say: the instance has ended; the local target bills nothing; a phase runs; the latest phase asked for
        // succeeded (phase 1 again after an old failure of phase 4 cannot be, so phase 3 again here); phase 7 has its own alert.
        _deployments.Snapshot = Latest(AwsDeployment(fourFailed), 4) with { Resources = [instance with { DeletedAt = DateTime.UtcNow }] };
        Assert.Null(Alert());
        var local = Snapshots.With([.. fourFailed.Select(r => (r.Item1, r.Item2, Guid.NewGuid()))]);
        _deployments.Snapshot = Latest(local, 4);
        Assert.Null(Alert());
        _deployments.Snapshot = Latest(AwsDeployment([.. fourFailed, (5, PhaseStatus.Running)]), 4);
        Assert.Null(Alert());
        _deployments.Snapshot = Latest(AwsDeployment(fourFailed), 3);
        Assert.Null(Alert());
        _deployments.Snapshot = Latest(AwsDeployment([.. fourFailed[..3], (7, PhaseStatus.Failed)]), 7);
        Assert.Null(Alert());
    }

    /// <summary>
    /// After a spot interruption and phase 1 again, the cards must not read as if phases 4 to 6 could go on: phase 3's
    /// success set up the instance that ended, and the replacement's Airflow has no DAGs.
    /// </summary>
    [Fact]
    public void The_cards_hold_phases_4_to_6_until_phase_3_has_set_up_a_replacement_instance()
    {
        var first = new ResourceView(Guid.NewGuid(), AwsResourceKinds.Instance, "cord19-token", "i-0abc: m5.xlarge spot", DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddMinutes(-30));
        var replacement = new ResourceView(Guid.NewGuid(), AwsResourceKinds.Instance, "cord19-token-i-0abc", "i-0def: m5.xlarge spot", DateTime.UtcNow, null);
        (int, PhaseStatus)[] fiveDone = [.. Enumerable.Range(1, 5).Select(n => (n, PhaseStatus.Succeeded))];
        string Why(IRenderedComponent<Overview> page, int phase) => page.Find($"[data-testid=phase-{phase}-why-not]").TextContent;
        bool RunDisabled(IRenderedComponent<Overview> page, int phase) => page.Find($"[data-testid=phase-{phase}-run]").HasAttribute("disabled");

        _deployments.Snapshot = AwsDeployment(fiveDone) with { Resources = [first, replacement] };
        var page = Render<Overview>();
        Assert.Contains("was replaced at", page.Find("[data-testid=phase-3-notice]").TextContent);
        Assert.Contains("run phase 3 again", page.Find("[data-testid=phase-3-notice]").TextContent);
        Assert.False(RunDisabled(page, 3));
        foreach (var phase in new[] { 4, 5, 6 })
        {
            Assert.True(RunDisabled(page, phase));
            Assert.StartsWith($"Phase {phase} needs phase 3 run again first: the instance phase 3 set up was replaced at", Why(page, phase));
        }
        Assert.False(RunDisabled(page, 7));

        // Phase 3 set up the instance that runs (it was recorded before phase 3 began): nothing held, nothing said.
        _deployments.Snapshot = AwsDeployment(fiveDone) with { Resources = [first with { DeletedAt = null }] };
        page = Render<Overview>();
        Assert.Empty(page.FindAll("[data-testid=phase-3-notice]"));
        Assert.All(new[] { 4, 5, 6 }, phase => Assert.False(RunDisabled(page, phase)));

        // A phase 3 that failed on the replacement already holds phase 4 back, with its own reason.
        _deployments.Snapshot = AwsDeployment([.. fiveDone[..2], (3, PhaseStatus.Failed)]) with { Resources = [first, replacement] };
        page = Render<Overview>();
        Assert.Empty(page.FindAll("[data-testid=phase-3-notice]"));
        Assert.StartsWith("Phase 4 (", Why(page, 4));
    }

    [Fact]
    public void An_AWS_deployment_done_with_the_whole_dataset_says_it_bills_until_phase_7()
    {
        var done = Enumerable.Range(1, 6).Select(n => (Phase: n, Status: PhaseStatus.Succeeded)).ToArray();

        // The local target bills nothing.
        _deployments.Snapshot = Snapshots.With([.. done.Select(r => (r.Phase, r.Status, Guid.NewGuid()))]);
        Assert.Empty(Render<Overview>().FindAll("[data-testid=done-but-billing]"));

        _deployments.Snapshot = AwsDeployment([.. done[..5], (6, PhaseStatus.Running)]);
        Assert.Empty(Render<Overview>().FindAll("[data-testid=done-but-billing]"));

        _deployments.Snapshot = AwsDeployment(done) with
        {
            Resources = [new ResourceView(Guid.NewGuid(), AwsResourceKinds.Instance, "token", "i-0abc: t3.large spot", DateTime.UtcNow.AddHours(-2), null)],
        };
        var alert = Render<Overview>().Find("[data-testid=done-but-billing]").TextContent;
        Assert.Contains("bills by the hour until phase 7: its instance", System.Text.RegularExpressions.Regex.Replace(alert, @"\s+", " "));

        // AWS ended the instance (its lifetime, a spot interruption) and the panel stopped metering it: the rest still bills.
        _deployments.Snapshot = _deployments.Snapshot with { Resources = [_deployments.Snapshot.Resources[0] with { DeletedAt = DateTime.UtcNow }] };
        alert = Render<Overview>().Find("[data-testid=done-but-billing]").TextContent;
        Assert.Contains("Its instance has ended, but this AWS deployment still bills until phase 7", System.Text.RegularExpressions.Regex.Replace(alert, @"\s+", " "));

        _deployments.Snapshot = AwsDeployment([.. done, (7, PhaseStatus.Running)]);
        Assert.Empty(Render<Overview>().FindAll("[data-testid=done-but-billing]"));
    }

    [Fact]
    public void The_checklist_shows_each_check_with_its_fix_and_creates_missing_roles_on_request()
    {
        _aws.Checks =
        [
            new CheckItem("Identity", CheckOutcome.Passed, "Account 123456789012 as arn:aws:iam::123456789012:user/researcher."),
            new CheckItem("COVID-19 data lake", CheckOutcome.Failed, "Glue has no table covid-19.alleninstitute_metadata in us-east-2.", "Launch AWS's COVID-19 data lake CloudFormation template."),
            new CheckItem($"IAM role {AwsNames.SpectrumRole}", CheckOutcome.Failed, "Missing.", "Press 'Create the roles'."),
        ];
        var page = Render<AwsAccount>();
        Assert.True(page.Find("[data-testid=create-roles]").HasAttribute("disabled"));

        page.Find("[data-testid=run-checks]").Click();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=check-row]").Count), Patience);
        Assert.Equal(["Passed", "Failed", "Failed"], page.FindAll("[data-testid=check-row]").Select(r => r.GetAttribute("data-outcome")));
        Assert.Contains("CloudFormation template", page.Markup);
        Assert.Contains("2 checks failed; each says how to fix it.", page.Find("[data-testid=aws-message]").TextContent);

        page.Find("[data-testid=create-roles]").Click();

        page.WaitForAssertion(() => Assert.Contains("Roles ready", page.Find("[data-testid=aws-message]").TextContent), Patience);
        Assert.Equal(1, _aws.RoleRequests);
        Assert.Equal("Passed", page.FindAll("[data-testid=check-row]")[2].GetAttribute("data-outcome"));
    }

    /// <summary>Amber lines do not stop phase 1, but a run with some is not said to have passed every check.</summary>
    [Fact]
    public void A_run_with_amber_lines_and_none_red_says_phase_1_can_start_and_counts_the_amber_ones()
    {
        _aws.Checks =
        [
            new CheckItem("Identity", CheckOutcome.Passed, "Account 123456789012 as arn:aws:iam::123456789012:user/researcher."),
            new CheckItem(SpotQuotaCheck.Name, CheckOutcome.Warning, "Could not read it: AWS denied servicequotas:GetServiceQuota."),
            new CheckItem(PermissionsCheck.Name, CheckOutcome.Warning, "Could not ask IAM's policy simulator."),
        ];
        var page = Render<AwsAccount>();

        page.Find("[data-testid=run-checks]").Click();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=check-row]").Count), Patience);
        Assert.Equal("No check failed: phase 1 can start. 2 could not tell or want a look (amber); each says why.",
            page.Find("[data-testid=aws-message]").TextContent.Trim());
    }

    [Fact]
    public void A_role_without_the_role_boundary_can_be_mended_with_Create_the_roles()
    {
        _aws.Checks = [new CheckItem($"IAM role {AwsNames.SpectrumRole}", CheckOutcome.Warning, "It carries no permissions boundary.", "Press 'Create the roles'.")];
        var page = Render<AwsAccount>();

        page.Find("[data-testid=run-checks]").Click();

        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=create-roles]").HasAttribute("disabled")), Patience);
    }

    [Fact]
    public void A_refused_role_creation_shows_AWSs_reason_and_the_fix()
    {
        _aws.Checks = [new CheckItem($"IAM role {AwsNames.SpectrumRole}", CheckOutcome.Failed, "Missing.", "Press 'Create the roles'.")];
        _aws.RoleFailure = new AwsException("iam:CreateRole", "AccessDenied", "not authorized to perform: iam:CreateRole", System.Net.HttpStatusCode.Forbidden);
        var page = Render<AwsAccount>();
        page.Find("[data-testid=run-checks]").Click();
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=create-roles]").HasAttribute("disabled")), Patience);

        page.Find("[data-testid=create-roles]").Click();

        page.WaitForAssertion(() => Assert.Contains("Allow iam:CreateRole", page.Find("[data-testid=aws-message]").TextContent), Patience);
    }

    [Fact]
    public void Orphans_are_listed_and_none_is_said_plainly()
    {
        var page = Render<AwsAccount>();
        page.Find("[data-testid=find-orphans]").Click();
        page.WaitForAssertion(() => Assert.Contains("0 orphans in us-east-2", page.Find("[data-testid=orphans-none]").TextContent), Patience);

        var deployment = Guid.Parse("c145eb32-7d2f-453a-84e1-f16bf162e6e4");
        _aws.Orphans =
        [
            new TaggedResource(AwsResourceKinds.Volume, "vol-0left", deployment.ToString(), "available"),
            new TaggedResource(AwsResourceKinds.SecurityGroup, "made-by-hand", "not-a-deployment", "sg-0hand"),
        ];
        page.Find("[data-testid=find-orphans]").Click();

        page.WaitForAssertion(() => Assert.Contains("vol-0left", page.FindAll("[data-testid=orphan-row]")[0].TextContent), Patience);
        // The deployment as the consoles name its resources (a GUID did not fit a phone); a hand-set tag as it is.
        Assert.Equal("cord19-c145eb32", page.FindAll("[data-testid=orphan-row] td[data-label=Deployment]")[0].TextContent.Trim());
        Assert.Equal("not-a-deployment", page.FindAll("[data-testid=orphan-row] td[data-label=Deployment]")[1].TextContent.Trim());
    }

    [Fact]
    public void The_Airflow_password_is_rotated_from_the_page_for_a_live_AWS_deployment()
    {
        var page = Render<AwsAccount>();
        Assert.Empty(page.FindAll("[data-testid=rotate-password]")); // no live AWS deployment, nothing to rotate

        _deployments.Snapshot = AwsDeployment((1, PhaseStatus.Succeeded));
        page = Render<AwsAccount>();
        page.Find("[data-testid=rotate-password]").Click();

        page.WaitForAssertion(() => Assert.Contains("set on i-0test", page.Find("[data-testid=aws-message]").TextContent), Patience);
        Assert.Equal(1, _aws.Rotations);
    }

    /// <summary>A deployment begun on another instance while the feed was down shows once the feed says to read again.</summary>
    [Fact]
    public void Told_to_read_again_the_page_finds_a_live_deployment_it_missed()
    {
        var page = Render<AwsAccount>();
        Assert.Empty(page.FindAll("[data-testid=rotate-password]"));

        _deployments.Snapshot = AwsDeployment((1, PhaseStatus.Succeeded));
        _deployments.Push(Cord19.Core.Live.ResourcesChanged.ReadAgain);

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=rotate-password]")), Patience);
    }

    [Fact]
    public void Orphans_are_deleted_only_once_the_regions_word_is_typed()
    {
        _aws.Orphans = [new TaggedResource(AwsResourceKinds.Volume, "vol-0left", Guid.NewGuid().ToString(), "available")];
        var page = Render<AwsAccount>();
        page.Find("[data-testid=find-orphans]").Click();
        page.WaitForAssertion(() => Assert.True(page.Find("[data-testid=delete-orphans]").HasAttribute("disabled")), Patience);

        page.Find("input[data-testid=orphans-confirm], [data-testid=orphans-confirm] input").Input("delete-orphans-us-east-1");
        Assert.True(page.Find("[data-testid=delete-orphans]").HasAttribute("disabled"));
        page.Find("input[data-testid=orphans-confirm], [data-testid=orphans-confirm] input").Input("delete-orphans-us-east-2");
        page.Find("[data-testid=delete-orphans]").Click();

        // The outcome shows in the orphans' panel, not in the checklist's.
        page.WaitForAssertion(() => Assert.Contains("Deleted 1; 0 orphans left in us-east-2", page.Find("[data-testid=orphans-message]").TextContent), Patience);
        Assert.Empty(page.FindAll("[data-testid=aws-message]"));
        Assert.Equal(["delete-orphans-us-east-2"], _aws.OrphanDeletions);
        Assert.Contains("0 orphans in us-east-2", page.Find("[data-testid=orphans-none]").TextContent);
    }

    [Fact]
    public void Orphans_are_sought_in_every_region_a_deployment_used_each_with_its_own_word()
    {
        // A crash left a volume in eu-west-1, and Settings now names us-east-2; ap-south-1 is not enabled for the account.
        _aws.AddRegion(new("eu-west-1", [new TaggedResource(AwsResourceKinds.Volume, "vol-0west", Guid.NewGuid().ToString(), "available")]));
        _aws.AddRegion(new("ap-south-1", [], "AWS did not accept the credentials for ec2:DescribeInstances (AuthFailure)."));
        var page = Render<AwsAccount>();
        page.Find("[data-testid=find-orphans]").Click();

        page.WaitForAssertion(() => Assert.Contains("0 orphans in us-east-2.", page.Find("[data-testid=orphans-none]").TextContent), Patience);
        var west = page.Find("[data-testid=region-orphans][data-region=eu-west-1]");
        Assert.Contains("eu-west-1: 1 orphan", west.TextContent);
        Assert.Contains("vol-0west", west.TextContent);
        Assert.Contains("Type delete-orphans-eu-west-1 to delete these.", west.TextContent);
        Assert.Contains("Could not look in ap-south-1: AWS did not accept the credentials", page.Find("[data-region=ap-south-1] [data-testid=orphans-problem]").TextContent);
        Assert.Single(page.FindAll("[data-testid=delete-orphans]")); // none for a region that is clean or could not be searched

        page.Find("[data-region=eu-west-1] input[data-testid=orphans-confirm]").Input("delete-orphans-eu-west-1");
        page.Find("[data-region=eu-west-1] [data-testid=delete-orphans]").Click();

        page.WaitForAssertion(() => Assert.Contains("Deleted 1; 0 orphans left in eu-west-1", page.Find("[data-testid=orphans-message]").TextContent), Patience);
        Assert.Equal(["delete-orphans-eu-west-1"], _aws.OrphanDeletions);
        Assert.Contains("0 orphans in us-east-2 and eu-west-1.", page.Find("[data-testid=orphans-none]").TextContent);
    }

    [Fact]
    public void The_status_panel_shows_what_the_monitor_pushes_and_its_problems()
    {
        _deployments.Snapshot = AwsDeployment((1, PhaseStatus.Succeeded));
        var page = Render<Overview>();
        page.WaitForAssertion(() => Assert.Equal(1, _aws.Watchers), Patience);

        _aws.Push(new AwsStatus(Snapshots.DeploymentId, "us-east-2", new InstanceState("i-0abc", "running", "198.51.100.7", "sir-1", "active", null) { AvailabilityZone = "us-east-2b", InstanceType = "m6i.xlarge" },
            "healthy", new ClusterState("cord19-00000000", "available", "cord19.example.redshift.amazonaws.com", 5439), 37.0, null, DateTimeOffset.UtcNow, null)
        {
            InstanceEndsAt = new DateTimeOffset(2026, 12, 3, 23, 10, 0, TimeSpan.Zero),
        });

        page.WaitForAssertion(() => Assert.Contains("running · i-0abc", page.Find("[data-testid=instance-state]").TextContent), Patience);
        Assert.Equal($"ends itself about {Cord19.Web.Model.Moments.OfServer.Date(new DateTimeOffset(2026, 12, 3, 23, 10, 0, TimeSpan.Zero))}",
            page.Find("[data-testid=instance-ends]").TextContent);
        Assert.Equal("198.51.100.7", page.Find("[data-testid=instance-address]").TextContent);
        Assert.Equal("spot request active · m6i.xlarge in us-east-2b", page.Find("[data-testid=instance-request]").TextContent);
        Assert.Contains("healthy", page.Find("[data-testid=airflow-health]").TextContent);
        Assert.Contains("available · cord19-00000000", page.Find("[data-testid=cluster-status]").TextContent);
        Assert.Contains("CPU 37%", page.Find("[data-testid=aws-status]").TextContent);

        Assert.Empty(page.FindAll("[data-testid=instance-ended]"));
        Assert.Empty(page.FindAll("[data-testid=instance-replaced]"));

        // A replacement phase 3 has not set up yet: the panel says what to run.
        _aws.Push(new AwsStatus(Snapshots.DeploymentId, "us-east-2", new InstanceState("i-0def", "running", "198.51.100.8", "sir-2", "active", null),
            "healthy", null, null, null, DateTimeOffset.UtcNow, null) { AwaitsPhaseThree = true });
        page.WaitForAssertion(() => Assert.Contains("The instance i-0def replaced the one phase 3 set up", page.Find("[data-testid=instance-replaced]").TextContent), Patience);
        Assert.Contains("Run phase 3", page.Find("[data-testid=instance-replaced]").TextContent);

        // Back after the instance ended itself at the maximum lifetime: the panel says so, and what to do.
        _aws.Push(new AwsStatus(Snapshots.DeploymentId, "us-east-2", new InstanceState("i-0abc", "terminated", null, "sir-1", "closed",
            "Client.InstanceInitiatedShutdown: Instance initiated shutdown"), null, null, null, null, DateTimeOffset.UtcNow, null));
        page.WaitForAssertion(() => Assert.Contains("shut itself down, as it does at the deployment's maximum lifetime",
            page.Find("[data-testid=instance-ended]").TextContent), Patience);
        Assert.Contains("Run phase 1 for a replacement in this deployment", page.Find("[data-testid=instance-ended]").TextContent);
        Assert.Contains("Or run phase 7", page.Find("[data-testid=instance-ended]").TextContent);

        _aws.Push(new AwsStatus(Snapshots.DeploymentId, "us-east-2", null, null, null, null, null, DateTimeOffset.UtcNow, "AWS kept failing ec2:DescribeInstances (Throttling)"));
        page.WaitForAssertion(() => Assert.Contains("Throttling", page.Find("[data-testid=aws-status-problem]").TextContent), Patience);
    }

    [Fact]
    public void De_allocating_on_AWS_shows_the_dry_run_and_sends_the_typed_name()
    {
        _deployments.Snapshot = AwsDeployment((1, PhaseStatus.Succeeded));
        _deployments.Plan = new DeallocationPlan(Snapshots.DeploymentId, DeploymentTarget.Aws, "us-east-2", "cord19-00000000",
        [
            new PlannedDeletion(AwsResourceKinds.Instance, "cord19-token", "t3.xlarge spot", true, true, "running (i-0abc)"),
            new PlannedDeletion(AwsResourceKinds.Volume, "vol-0left", "found by its tags only", false, true, "available"),
        ]);
        _deployments.Answer = r => RunRequestOutcome.Refused("recorded");
        var dialogs = Render<MudDialogProvider>();
        var page = Render<Overview>();

        page.Find("[data-testid=teardown]").Click();

        dialogs.WaitForAssertion(() => Assert.Equal(2, dialogs.FindAll("[data-testid=plan-row]").Count), Patience);
        Assert.Contains("tags only", dialogs.FindAll("[data-testid=plan-row]")[1].TextContent);
        // The title follows the dry run, which says where the deployment is.
        dialogs.WaitForAssertion(() => Assert.Contains("De-allocate this AWS deployment?", dialogs.Find(".mud-dialog-title").TextContent), Patience);
        Assert.True(dialogs.Find("[data-testid=dialog-confirm]").HasAttribute("disabled"));
        Assert.Empty(_deployments.Requests);

        dialogs.Find("input[data-testid=confirm-word], [data-testid=confirm-word] input").Input("cord19-00000000");
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-testid=dialog-confirm]").HasAttribute("disabled")), Patience);
        dialogs.Find("[data-testid=dialog-confirm]").Click();

        page.WaitForAssertion(() => Assert.Single(_deployments.Requests), Patience);
        var request = _deployments.Requests[0];
        Assert.Equal((Phase.Deallocation, "cord19-00000000"), (request.PhaseNumber, request.Confirmation));
    }
}

public sealed class WithCodeTests : PageTestContext
{
    [Theory]
    [InlineData("Sign in with `aws sso login`, then reload.", "Sign in with <code>aws sso login</code>, then reload.")]
    [InlineData("No code here.", "No code here.")]
    [InlineData("One ` stray backtick.", "One ` stray backtick.")]
    public void Backticked_words_show_as_code_without_their_backticks(string text, string html)
    {
        var rendered = Render<Cord19.Web.Components.Controls.WithCode>(p => p.Add(c => c.Text, text));
        rendered.MarkupMatches(html);
    }
}
