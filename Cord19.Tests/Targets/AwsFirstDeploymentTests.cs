using System.Diagnostics;
using Cord19.Core.Deployments;
using Cord19.Core.Airflow;
using Cord19.Core.Costs;
using Cord19.Core.Pipeline;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// What a first real deployment needs, against the target's seam (<see cref="FakeAwsCloud"/>, never presented as AWS):
/// refusals before anything is created, AWS's slow or transient states waited out, waits that end at once when they
/// cannot succeed, no duplicate DAG runs, and a cluster that stops billing its nodes once its export is done.
/// </summary>
public sealed class AwsFirstDeploymentTests
{
    [Fact]
    public async Task The_checklist_refuses_a_node_type_Redshift_does_not_offer_a_lake_in_another_region_and_lists_denied_actions()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var checklist = h.Get<AwsChecklist>();
        var settings = await h.Core.Settings.GetAsync() with { RedshiftNodeType = "dc2.large" };
        h.Cloud.Denied.Add(new DeniedAction("ec2:RunInstances", "implicitDeny", "arn:aws:ec2:us-east-2:123456789012:instance/example"));
        h.Cloud.Denied.Add(new DeniedAction("iam:PassRole", "explicitDeny"));
        h.Cloud.Denied.Add(new DeniedAction("redshift:CreateCluster", "explicitDeny") { ByServiceControlPolicy = true });
        h.Cloud.LakeBucketRegion = "us-east-1";

        var items = await checklist.RunAsync(settings, default);

        Assert.Equal(CheckOutcome.Failed, Item(items, "Redshift node type").Outcome);
        Assert.Contains("ra3.large", Item(items, "Redshift node type").Fix);
        var permissions = Item(items, "Permissions");
        Assert.Equal(CheckOutcome.Failed, permissions.Outcome);
        Assert.Contains("ec2:RunInstances on arn:aws:ec2:us-east-2:123456789012:instance/example, iam:PassRole (a Deny statement), " +
            "redshift:CreateCluster (service control policy).", permissions.Detail);
        // Attaching the policy lifts only what nothing allows: a Deny and the organization's policies need someone else.
        Assert.Contains("A Deny statement in a policy of yours refuses iam:PassRole", permissions.Fix);
        Assert.Contains("service control policies refuse redshift:CreateCluster", permissions.Fix);
        // Asked on the project's resources in the caller's account and region, as the phases use them: asked on "*", the
        // simulator denies what the operator policy allows only on the project's own (cloud-custodian#4612).
        Assert.Contains(h.Cloud.SimulatedProbes, p => p.Actions.Contains("redshift:DeleteCluster")
            && p.Resources.SequenceEqual([$"arn:aws:redshift:{settings.AwsRegion}:123456789012:cluster:cord19-example"]));
        Assert.Contains(h.Cloud.SimulatedProbes, p => p.Actions.Contains("ec2:TerminateInstances")
            && p.Context.GetValueOrDefault("aws:ResourceTag/cord19:project") == "cord19");
        Assert.Contains("operator-policy.json", permissions.Fix);
        Assert.Equal(CheckOutcome.Failed, Item(items, "COVID-19 data lake").Outcome);
        Assert.Contains("us-east-1", Item(items, "COVID-19 data lake").Detail);

        // The defaults pass: ra3.large is offered, nothing is denied, the lake is in the deployment's region.
        h.Cloud.Denied.Clear();
        h.Cloud.LakeBucketRegion = "us-east-2";
        var defaults = await checklist.RunAsync(await h.Core.Settings.GetAsync(), default);
        Assert.All(new[] { "Redshift node type", "Permissions", "COVID-19 data lake" }, name => Assert.Equal(CheckOutcome.Passed, Item(defaults, name).Outcome));
    }

    [Fact]
    public async Task The_checklist_says_what_PyPI_knows_of_the_Airflow_release_even_without_AWS()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var checklist = h.Get<AwsChecklist>();
        var settings = await h.Core.Settings.GetAsync();
        async Task<CheckItem> ReleaseLineAsync(Func<string, AirflowReleaseFacts?> answer)
        {
            h.Releases.Answer = answer;
            return Item(await checklist.RunAsync(settings, default), AirflowReleaseCheck.Name);
        }

        var current = await ReleaseLineAsync(v => new(v, true, null, [], v));
        Assert.Equal(CheckOutcome.Passed, current.Outcome);
        Assert.Contains($"Apache Airflow {settings.AirflowVersion} is on PyPI with no known vulnerabilities, and is its latest release", current.Detail);
        var withPythons = await ReleaseLineAsync(v => new(v, true, null, [], v, ["3.10", "3.11", "3.12", "3.13"]));
        Assert.Contains("with no known vulnerabilities, supports the instance's Python 3.12, and is its latest release.", withPythons.Detail);

        var superseded = await ReleaseLineAsync(v => new(v, true, null, [], "3.10.0")); // compared as numbers: 3.10 is after 3.2
        Assert.Equal(CheckOutcome.Warning, superseded.Outcome);
        Assert.Contains("3.10.0 is out", superseded.Detail);
        Assert.Equal("Settings → Airflow version: 3.10.0.", superseded.Fix);
        var airflowTwo = Item(await checklist.RunAsync(settings with { AirflowVersion = "2.10.5" }, default), AirflowReleaseCheck.Name);
        Assert.Equal(CheckOutcome.Warning, airflowTwo.Outcome);
        Assert.Contains("Airflow 2 gets no fixes at all since its end of life on 2026-04-22", airflowTwo.Detail);

        var vulnerable = await ReleaseLineAsync(v => new(v, true, null,
            [new KnownVulnerability("PYSEC-2026-1", ["CVE-2026-0001"], ["3.2.3", "3.3.1"]), new KnownVulnerability("GHSA-xxxx-yyyy-zzzz", [], [])], "3.3.1"));
        Assert.Equal(CheckOutcome.Failed, vulnerable.Outcome);
        Assert.Contains("2 known vulnerabilities", vulnerable.Detail);
        Assert.Contains("PYSEC-2026-1 (CVE-2026-0001), fixed in 3.2.3, 3.3.1; GHSA-xxxx-yyyy-zzzz", vulnerable.Detail);
        Assert.Equal("Settings → Airflow version: 3.3.1.", vulnerable.Fix);

        var yanked = await ReleaseLineAsync(v => new(v, true, "broken migrations", [], "3.3.1"));
        Assert.Equal(CheckOutcome.Failed, yanked.Outcome);
        Assert.Contains("withdrawn from PyPI (yanked: broken migrations)", yanked.Detail);

        var unreleased = await ReleaseLineAsync(v => new(v, false, null, [], "3.3.1"));
        Assert.Equal(CheckOutcome.Failed, unreleased.Outcome);
        Assert.Contains("PyPI has no Apache Airflow", unreleased.Detail);

        var olderPythons = await ReleaseLineAsync(v => new(v, true, null, [], "3.3.1", ["3.8", "3.9", "3.10", "3.11"]));
        Assert.Equal(CheckOutcome.Failed, olderPythons.Outcome);
        Assert.Contains("supports Python 3.8, 3.9, 3.10 and 3.11 only, and the instance's Ubuntu 24.04 has Python 3.12", olderPythons.Detail);
        Assert.Equal("Settings → Airflow version: 3.3.1.", olderPythons.Fix);
        // On an image of the operator's own (CORD19_AWS_IMAGE_ID) the instance's Python is not known, so it is not judged.
        Assert.Equal(CheckOutcome.Warning, AirflowReleaseCheck.Judge(new("3.2.2", true, null, [], "3.3.1", ["3.11"]), python: null).Outcome);

        var unreachable = await ReleaseLineAsync(_ => null);
        Assert.Equal(CheckOutcome.Warning, unreachable.Outcome);
        Assert.Contains("Could not ask PyPI", unreachable.Detail);
        Assert.Equal("Check this machine's network.", unreachable.Fix);

        // PyPI needs no credentials: its line is there when AWS refuses them.
        h.Releases.Answer = v => new(v, true, null, [], v);
        h.Cloud.IdentityFailure = FakeAwsCloud.Error("sts:GetCallerIdentity", "ExpiredToken", "The security token included in the request is expired");
        Assert.Equal(CheckOutcome.Passed, Item(await checklist.RunAsync(settings, default), AirflowReleaseCheck.Name).Outcome);
    }

    /// <summary>For a type the shipped price book does not price: a cap would be refused, since it could not count the instance.</summary>
    private static readonly decimal? NoCap = null;

    [Fact]
    public async Task Phase_one_refuses_an_Arm_instance_type_or_one_EC2_does_not_know_before_creating_anything()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, InstanceType = "t4g.xlarge", BudgetCapUsd = NoCap });
        h.Cloud.InstanceType = new("t4g.xlarge", 4, 16384, ["arm64"]);

        FailedSaying(await h.Core.RunAsync(1), "t4g.xlarge: 4 vCPUs, 16 GiB, arm64", "built for x86_64", "Settings → Instance type: m5.xlarge",
            "Phase 1 stopped before creating anything");
        Assert.Empty(h.Cloud.Buckets);
        Assert.Empty(h.Cloud.Instances);
        Assert.False(await h.Core.Store.HasRecordedResourcesAsync(await h.DeploymentIdAsync()));

        h.Cloud.InstanceType = null;
        FailedSaying(await h.Core.RunAsync(1), "EC2 does not know the instance type t4g.xlarge in us-east-2", "Phase 1 stopped before creating anything");
        Assert.Empty(h.Cloud.Instances);
    }

    [Fact]
    public async Task Phase_one_on_a_small_burstable_instance_type_goes_on_and_says_it_may_run_out_of_memory_and_run_at_its_baseline()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, InstanceType = "t3.medium", BudgetCapUsd = NoCap });
        h.Cloud.InstanceType = new("t3.medium", 2, 4096, ["x86_64"], Burstable: true, OfferedAsSpot: true);

        var state = await h.Core.RunAsync(1);

        Succeeded(state, "");
        var log = await h.Core.LogTextAsync(state);
        Assert.Contains("t3.medium: 2 vCPUs, 4 GiB, x86_64. Airflow asks for at least 4 GB", log);
        Assert.Contains("It is burstable", log);
    }

    /// <summary>
    /// What EC2 answers a launch naming an instance profile IAM made seconds before (aws/aws-sdk-js-v3#5253, and the
    /// Terraform provider's issues): the name is "invalid" until the profile has reached EC2.
    /// </summary>
    private static Cord19.Core.Aws.AwsException ProfileNotVisibleYet(string profile) => FakeAwsCloud.Error("ec2:RunInstances", "InvalidParameterValue",
        $"Value ({profile}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name");

    [Fact]
    public async Task A_new_instance_profile_EC2_cannot_see_yet_is_waited_for_and_the_launch_goes_through()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.RunInstancesFailure = ProfileNotVisibleYet("cord19-instance");
        h.Cloud.RunInstancesFailureTimes = 2;

        var state = await h.Core.RunAsync(1);

        Succeeded(state, "");
        Assert.Equal(3, h.Cloud.RunInstancesAsked);
        var names = await h.NamesAsync();
        Assert.Equal(2, (await h.Core.LogTextAsync(state)).Split($"The instance profile {names.InstanceRole} is not visible to EC2 yet; trying again in a few seconds.").Length - 1);
        Assert.Single(h.Cloud.Instances);
    }

    [Fact]
    public async Task An_instance_profile_EC2_never_sees_fails_phase_one_after_a_dozen_tries_and_bills_nothing()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.RunInstancesFailure = ProfileNotVisibleYet("cord19-instance");

        var state = await h.Core.RunAsync(1);
        var names = await h.NamesAsync();
        FailedSaying(state, $"EC2 still could not see the instance profile {names.InstanceRole} after 12 tries", "(InvalidParameterValue)",
            "Run phase 1 again, which keeps it", $"check in the IAM console that the profile {names.InstanceRole} exists with its role");

        Assert.Equal(12, h.Cloud.RunInstancesAsked);
        Assert.Empty(h.Cloud.Instances);
        Assert.Equal(0m, AwsTargetHarness.Meter(await h.MetersInAnHourAsync(), MeterKind.Ec2Instance).BurnRatePerHour);
        // Another invalid parameter is not the profile's delay: refused at once.
        await using var other = await AwsTargetHarness.StartAsync();
        other.Cloud.RunInstancesFailure = FakeAwsCloud.Error("ec2:RunInstances", "InvalidParameterValue", "Value (xyz) for parameter blockDeviceMapping is invalid.");
        FailedSaying(await other.Core.RunAsync(1), "InvalidParameterValue");
        Assert.Equal(1, other.Cloud.RunInstancesAsked);
    }

    /// <summary>
    /// EC2's API is eventually consistent ("Eventual consistency in the Amazon EC2 API"): an instance may not be listed
    /// for a while after RunInstances, and a new security group's id may answer InvalidGroup.NotFound, its name find nothing.
    /// </summary>
    [Fact]
    public async Task An_instance_EC2_does_not_list_yet_after_its_launch_is_waited_for_as_a_pending_one_is()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.NewInstanceUnlistedLooks = 3;

        var state = await h.Core.RunAsync(1);

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Equal(1, h.Cloud.RunInstancesAsked);
        Assert.Equal("running", Assert.Single(h.Cloud.Instances.Values).State.State);
    }

    [Fact]
    public async Task An_instance_EC2_never_lists_fails_phase_one_naming_it_and_phase_one_again_launches_no_second()
    {
        await using var h = await AwsTargetHarness.StartAsync(instanceStartLimit: TimeSpan.FromMilliseconds(300));
        h.Cloud.NewInstanceUnlistedLooks = int.MaxValue;

        var state = await h.Core.RunAsync(1);

        var launched = Assert.Single(h.Cloud.Instances.Values).State.InstanceId;
        FailedSaying(state, $"EC2 launched {launched} but does not list it", "Running phase 1 again asks EC2 under the same client token");
        h.Cloud.ListEveryInstance();
        h.Cloud.NewInstanceUnlistedLooks = 0;
        Succeeded(await h.Core.RunAsync(1), "");
        Assert.Equal(1, h.Cloud.RunInstancesAsked);
        Assert.Single(h.Cloud.Instances);
    }

    [Fact]
    public async Task A_new_security_group_EC2_does_not_know_yet_is_waited_for_by_its_rule_and_by_the_launch()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.NewGroupUnknownTo["ec2:AuthorizeSecurityGroupIngress"] = 2;
        h.Cloud.NewGroupUnknownTo["ec2:RunInstances"] = 1;
        // Its name finds nothing for longer: the launch takes the group's id as the step made it.
        h.Cloud.NewGroupUnnamedLooks = 5;

        var state = await h.Core.RunAsync(1);

        var log = await h.Core.LogTextAsync(state);
        Succeeded(state, log);
        var names = await h.NamesAsync();
        var group = h.Cloud.Groups[names.AirflowSecurityGroup];
        Assert.Equal(3, log.Split($"The security group {group.Id} is not visible to EC2 yet; trying again in a few seconds.").Length - 1);
        Assert.Equal(["8080 from 203.0.113.7/32"], group.Ingress);
        Assert.Equal(group.Id, Assert.Single(h.Cloud.Instances.Values).Spec.SecurityGroupId);
    }

    [Fact]
    public async Task A_new_security_group_EC2_never_sees_fails_phase_one_naming_it_before_any_launch()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.NewGroupUnknownTo["ec2:AuthorizeSecurityGroupIngress"] = int.MaxValue;

        var state = await h.Core.RunAsync(1);

        var group = h.Cloud.Groups[(await h.NamesAsync()).AirflowSecurityGroup].Id;
        FailedSaying(state, $"EC2 still could not see the security group {group} after 12 tries", "(InvalidGroup.NotFound)", "Run phase 1 again, which keeps it",
            $"check in the VPC console (Security groups) that {group} exists in the default VPC");
        Assert.Equal(0, h.Cloud.RunInstancesAsked);
    }

    [Fact]
    public async Task Phase_two_waits_out_Redshift_not_seeing_its_new_security_group_yet()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.NewGroupUnknownTo["redshift:CreateCluster"] = 2;

        var state = await h.Core.RunAsync(2);

        var log = await h.Core.LogTextAsync(state);
        Succeeded(state, log);
        var group = h.Cloud.Groups[(await h.NamesAsync()).RedshiftSecurityGroup].Id;
        Assert.Equal(2, log.Split($"The security group {group} is not visible to Redshift yet; trying again in a few seconds.").Length - 1);
        Assert.Equal(group, Assert.Single(h.Cloud.Clusters.Values).Spec.SecurityGroupId);
    }

    [Fact]
    public async Task A_security_group_Redshift_never_sees_fails_phase_two_naming_it_with_nothing_metered()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.NewGroupUnknownTo["redshift:CreateCluster"] = int.MaxValue;

        var state = await h.Core.RunAsync(2);

        var group = h.Cloud.Groups[(await h.NamesAsync()).RedshiftSecurityGroup].Id;
        FailedSaying(state, $"Redshift still could not see the security group {group} after 12 tries", "(InvalidParameterValue)", "Run phase 2 again, which keeps it",
            $"check in the VPC console (Security groups) that {group} exists in the default VPC, which is where Redshift puts the cluster");
        Assert.Empty(h.Cloud.Clusters);
        Assert.Equal(0m, AwsTargetHarness.Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftCluster).BurnRatePerHour);
    }

    /// <summary>Only a refusal naming the new group is waited out: any other invalid parameter fails phase 2 at its first answer.</summary>
    [Fact]
    public async Task Another_parameter_Redshift_calls_invalid_fails_phase_two_at_once()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.CreateClusterFailure = FakeAwsCloud.Error("redshift:CreateCluster", "InvalidParameterValue", "Invalid node type: ra3.large is not offered in this region.");

        var state = await h.Core.RunAsync(2);

        FailedSaying(state, "Invalid node type: ra3.large is not offered in this region");
        Assert.DoesNotContain("not visible to Redshift yet", await h.Core.LogTextAsync(state));
    }

    /// <summary>Once the instance is launched, neither its Airflow release nor its type can change: phase 1 run again judges neither.</summary>
    [Fact]
    public async Task Phase_one_run_again_over_a_launched_instance_looks_up_neither_the_release_nor_the_type()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var asked = h.Releases.Asked.Count;
        // Both would refuse a launch now: a release PyPI withdrew since, and a type EC2 no longer knows.
        h.Releases.Answer = _ => null;
        h.Cloud.InstanceTypeOf["m5.xlarge"] = null;

        var again = await h.Core.RunAsync(1);

        Succeeded(again, await h.Core.LogTextAsync(again));
        Assert.Equal(asked, h.Releases.Asked.Count);
        Assert.Contains("is launched already, and installs Airflow at its first boot: the release is not looked up again, nor the instance type.", await h.Core.LogTextAsync(again));
    }

    [Fact]
    public async Task Phase_two_makes_the_cluster_in_its_new_group_though_the_groups_name_finds_nothing_yet()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.NewGroupUnnamedLooks = 5;

        var state = await h.Core.RunAsync(2);

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Equal(h.Cloud.Groups[(await h.NamesAsync()).RedshiftSecurityGroup].Id, Assert.Single(h.Cloud.Clusters.Values).Spec.SecurityGroupId);
    }

    [Fact]
    public async Task Phase_one_refuses_an_instance_type_EC2_does_not_sell_as_spot_before_creating_anything()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, InstanceType = "hpc6a.48xlarge", BudgetCapUsd = NoCap });
        h.Cloud.InstanceType = new("hpc6a.48xlarge", 96, 393216, ["x86_64"], OfferedAsSpot: false);

        FailedSaying(await h.Core.RunAsync(1), "does not offer this type as a spot instance", "Settings → Instance type: m5.xlarge", "before creating anything");
        Assert.Empty(h.Cloud.Instances);
    }

    [Fact]
    public async Task Phase_one_refuses_an_Airflow_release_PyPI_does_not_have_before_creating_anything()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, AirflowVersion = "3.2.9" });
        h.Releases.Answer = v => new(v, false, null, [], "3.3.1");

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "PyPI has no Apache Airflow 3.2.9", "The latest release is 3.3.1", "Settings → Airflow version: 3.3.1", "Phase 1 stopped before creating anything");
        Assert.Equal(["3.2.9"], h.Releases.Asked);
        Assert.Empty(h.Cloud.Buckets);
        Assert.Empty(h.Cloud.Instances);
        Assert.False(await h.Core.Store.HasRecordedResourcesAsync(await h.DeploymentIdAsync()));

        // A withdrawn release is refused so too.
        h.Releases.Answer = v => new(v, true, "", [], "3.3.1");
        FailedSaying(await h.Core.RunAsync(1), "Apache Airflow 3.2.9 was withdrawn from PyPI (yanked).", "Phase 1 stopped before creating anything");
        Assert.Empty(h.Cloud.Instances);

        // So is one without the instance's Python: pip would find no constraints file for it on the instance.
        h.Releases.Answer = v => new(v, true, null, [], "3.3.1", ["3.9", "3.10", "3.11"]);
        FailedSaying(await h.Core.RunAsync(1), "Apache Airflow 3.2.9 supports Python 3.9, 3.10 and 3.11 only", "Phase 1 stopped before creating anything");
        Assert.Empty(h.Cloud.Instances);
    }

    [Fact]
    public async Task Phase_one_warns_of_known_vulnerabilities_and_looks_the_release_up_only_before_the_launch()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Releases.Answer = v => new(v, true, null, [new KnownVulnerability("PYSEC-2026-1", [], ["3.3.1"])], "3.3.1");

        var vulnerable = await h.Core.RunAsync(1);

        var log = await h.Core.LogTextAsync(vulnerable);
        Succeeded(vulnerable, log);
        Assert.Contains("[airflow-release] PyPI lists 1 known vulnerability in Apache Airflow", log);
        Assert.Contains("Settings → Airflow version: 3.3.1.", log);

        // Once the instance is launched, its Airflow is installed: the release is not looked up again.
        h.Releases.Asked.Clear();
        var again = await h.Core.RunAsync(1);
        Succeeded(again, await h.Core.LogTextAsync(again));
        Assert.Empty(h.Releases.Asked);
        Assert.Contains("installs Airflow at its first boot: the release is not looked up again", await h.Core.LogTextAsync(again));
    }

    [Fact]
    public async Task Phase_one_goes_on_when_PyPI_cannot_be_asked_and_says_so()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Releases.Answer = _ => null;

        var state = await h.Core.RunAsync(1);

        var log = await h.Core.LogTextAsync(state);
        Succeeded(state, log);
        Assert.Contains("Could not ask PyPI", log);
        Assert.Contains("Going on: the instance installs Airflow", log);
        Assert.NotEmpty(h.Cloud.Instances);
    }

    [Fact]
    public async Task With_the_panels_metadata_file_phase_two_creates_no_cluster_and_phase_three_ships_the_file()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, AwsMetadataSource = PipelineSettings.PanelMetadataSource });
        ReadyDags(h);

        for (var phase = 1; phase <= 3; phase++) Succeeded(await h.Core.RunAsync(phase), "");

        Assert.Empty(h.Cloud.Clusters);
        Assert.Empty(h.Cloud.Sql);
        var names = await h.NamesAsync();
        Assert.Contains($"https://{names.Bucket}.s3.example/deploy/metadata.csv.gz", Assert.Single(h.Cloud.Commands));
        var snapshot = await h.Core.Store.GetSnapshotAsync();
        Assert.Contains("No Redshift cluster is created", await h.Core.LogTextAsync(snapshot[2]));
        Assert.Contains("Metadata source: the panel's own file (the shipped CORD-19 sample)", await h.Core.LogTextAsync(snapshot[3]));
    }

    [Fact]
    public async Task With_a_release_the_instance_downloads_it_into_the_bucket_and_a_new_instance_reuses_it()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings
        {
            Target = DeploymentTarget.Aws, AwsMetadataSource = PipelineSettings.ReleaseMetadataSource, AwsRelease = "2022-06-02",
        });
        ReadyDags(h);

        for (var phase = 1; phase <= 3; phase++) Succeeded(await h.Core.RunAsync(phase), "");

        Assert.Empty(h.Cloud.Clusters);
        var names = await h.NamesAsync();
        var install = Assert.Single(h.Cloud.Commands);
        Assert.Contains($"fetch --release '2022-06-02' --out /opt/cord19/metadata.csv.gz --copy-to s3://{names.Bucket}/deploy/release-2022-06-02.csv.gz", install);
        Assert.DoesNotContain("metadata.csv.gz?X-Amz", install);
        Assert.DoesNotContain(h.Cloud.Calls, c => c.StartsWith("upload deploy/metadata", StringComparison.Ordinal));
        var snapshot = await h.Core.Store.GetSnapshotAsync();
        Assert.Contains("CORD-19 release 2022-06-02, as chosen in Settings. No Redshift cluster is created", await h.Core.LogTextAsync(snapshot[2]));

        // What the instance's command put there; phase 3 again (a replacement instance) fetches it from the bucket.
        await h.Cloud.UploadAsync(names.AccountBucket, "deploy/release-2022-06-02.csv.gz", new MemoryStream(new byte[2048]), default);
        Succeeded(await h.Core.RunAsync(3), "");
        Assert.Contains($"https://{names.Bucket}.s3.example/deploy/release-2022-06-02.csv.gz", h.Cloud.Commands[^1]);
        Assert.DoesNotContain(" fetch ", h.Cloud.Commands[^1]);
        Assert.Equal(2048, await h.Cloud.ObjectSizeAsync(names.AccountBucket, "deploy/release-2022-06-02.csv.gz", default)); // left as it is
    }

    [Fact]
    public async Task A_role_Redshift_never_sees_fails_phase_two_after_a_dozen_tries_naming_the_trust_to_check()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.RolePropagationFailures = int.MaxValue;

        var state = await h.Core.RunAsync(2);

        FailedSaying(state, $"Redshift still refuses the role arn:aws:iam::123456789012:role/cord19/{AwsNames.SpectrumRole} after 12 tries",
            "The IAM role must delegate access to an Amazon Redshift account.", "Check that its trust policy names redshift.amazonaws.com, then run phase 2 again.");
        Assert.Equal(int.MaxValue - 12, h.Cloud.RolePropagationFailures);
    }

    [Fact]
    public async Task Phase_two_waits_out_IAM_propagating_the_new_Spectrum_role_to_Redshift()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.RolePropagationFailures = 3;

        var state = await h.Core.RunAsync(2);

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Equal(0, h.Cloud.RolePropagationFailures);
        Assert.Contains($"IAM has not yet shown the role arn:aws:iam::123456789012:role/cord19/{AwsNames.SpectrumRole} to Redshift", await h.Core.LogTextAsync(state));
    }

    /// <summary>
    /// Redshift's scheduler refuses a role IAM has not shown it yet in its own words, naming the IAM role rather than
    /// Redshift's "delegate access": phase 2 waits that out too, and the pause is scheduled.
    /// </summary>
    [Fact]
    public async Task Phase_two_waits_out_the_scheduler_not_seeing_its_new_role_yet()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var scheduler = $"arn:aws:iam::123456789012:role/cord19/{AwsRoles.Scheduler.Name}";
        for (var i = 0; i < 2; i++)
            h.Cloud.ScheduleRefusals.Enqueue(FakeAwsCloud.Error("redshift:CreateScheduledAction", "InvalidScheduledAction", $"The IAM role {scheduler} is not valid."));

        var state = await h.Core.RunAsync(2);

        var log = await h.Core.LogTextAsync(state);
        Succeeded(state, log);
        Assert.Equal(2, log.Split($"IAM has not yet shown the role {scheduler} to Redshift").Length - 1);
        Assert.Single(h.Cloud.PauseSchedules);
    }

    [Fact]
    public async Task A_cluster_stops_billing_its_nodes_once_its_export_is_done_and_teardown_waits_out_a_busy_cluster()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");

        var found = (await h.Core.Store.GetWithRunsAsync())!.Value;
        var meters = CostMeterService.Measure(found.Deployment, found.Runs, await h.Core.Settings.GetAsync(), DateTime.UtcNow.AddHours(1));
        Assert.Equal(0m, meters.Resources.Single(r => r.Kind == MeterKind.RedshiftCluster).BurnRatePerHour);
        Assert.True(meters.Resources.Single(r => r.Kind == MeterKind.RedshiftStorage).BurnRatePerHour > 0m);
        Assert.True(meters.Resources.Single(r => r.Kind == MeterKind.SpectrumScan).Accrued > 0m);

        // Redshift refuses to delete a cluster with an operation running on it; teardown asks again instead of failing.
        h.Cloud.InvalidClusterStateFailures = 2;
        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        Succeeded(teardown, await h.Core.LogTextAsync(teardown));
        Assert.Empty(h.Cloud.Clusters);
        Assert.Equal(3, h.Cloud.Calls.Count(c => c.StartsWith("delete cluster", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_meter_bills_the_instance_at_the_live_spot_price_of_its_zone_and_says_where_each_price_came_from()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var launched = (await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources.Single(r => r.Kind == AwsResourceKinds.Instance).CreatedAt;
        h.Cloud.SpotHistory.Add(new PricePoint(launched.AddDays(-2), 0.0410m));
        h.Cloud.SpotHistory.Add(new PricePoint(launched.AddMinutes(30), 0.0620m));

        await h.Get<SpotPriceWatcher>().LookAsync(default);

        var live = h.Get<LiveSpotPrices>().Get(await h.DeploymentIdAsync());
        Assert.Equal("us-east-2a", Assert.Single(live!.Values).Zone);
        Assert.Contains("spot price history m5.xlarge us-east-2a", h.Cloud.Calls);
        var found = (await h.Core.Store.GetWithRunsAsync())!.Value;
        var meters = CostMeterService.Measure(found.Deployment, found.Runs, await h.Core.Settings.GetAsync(), launched.AddHours(1), live);
        var instance = meters.Resources.Single(r => r.Kind == MeterKind.Ec2Instance);
        // Half an hour at the price in effect at launch, then half an hour at the new one: not the price book's $0.0576.
        Assert.Equal(0.5m * 0.0410m + 0.5m * 0.0620m, instance.Accrued!.Value, 6);
        Assert.Equal(0.0620m, instance.BurnRatePerHour);
        Assert.StartsWith("live: DescribeSpotPriceHistory", instance.PriceSource);
        Assert.StartsWith("price book 'ebs.gp3.gb-month'", meters.Resources.Single(r => r.Kind == MeterKind.EbsVolume).PriceSource);
    }

    [Fact]
    public async Task A_wrong_Airflow_password_ends_the_wait_at_once()
    {
        await using var h = await AwsTargetHarness.StartAsync(airflowReadyLimit: TimeSpan.FromMinutes(5));
        // Airflow's health endpoint answers without a sign-in: only a signed-in call shows the wrong password.
        h.Airflow.FailureOf = call => call == "health" ? null : new AirflowException(AirflowProblem.Unauthorized, "Airflow refused the credentials.", 401);
        var clock = Stopwatch.StartNew();

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "refuses the panel's sign-in", "airflow-admin-password");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}");
    }

    /// <summary>The instance is left (its first boot may yet finish), so the failure says it bills, and until when at the latest.</summary>
    [Fact]
    public async Task A_wait_for_Airflow_that_times_out_shows_the_end_of_the_first_boot_log_and_that_the_instance_bills_until_its_end()
    {
        await using var h = await AwsTargetHarness.StartAsync(airflowReadyLimit: TimeSpan.FromMilliseconds(50));
        h.Airflow.Failure = new AirflowException(AirflowProblem.Unreachable, "connection refused");

        var state = await h.Core.RunAsync(1);

        var (launched, _) = Assert.Single(h.Cloud.Instances.Values);
        var end = launched.LaunchedAt!.Value.AddHours(8).UtcDateTime;
        FailedSaying(state, "Gave up waiting for Airflow", "first-boot log", "Could not get lock /var/lib/dpkg/lock-frontend",
            $"The instance {launched.InstanceId} still runs, and bills, until phase 7 ends it or it ends itself about {end:yyyy-MM-dd HH:mm} UTC (the maximum lifetime).");
    }

    [Fact]
    public async Task A_first_boot_that_failed_fails_phase_one_at_once_with_the_lines_that_say_why()
    {
        await using var h = await AwsTargetHarness.StartAsync(
            new PipelineSettings { Target = DeploymentTarget.Aws, AirflowVersion = "3.2.2" }, airflowReadyLimit: TimeSpan.FromSeconds(30));
        h.Airflow.Failure = new AirflowException(AirflowProblem.Unreachable, "connection refused");
        h.Cloud.ConsoleOutput = "cloud-init: running modules\n" +
            "ERROR: 404 Client Error: Not Found for url: https://raw.githubusercontent.com/apache/airflow/constraints-3.2.2/constraints-3.12.txt\n" +
            $"{AirflowUserData.SetupFailed} at line 24 (exit 1)\n" +
            "cloud-init: Failed to run module scripts-user\n";
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "first boot of", "failed, so Airflow will not start", "constraints-3.12.txt", "at line 24 (exit 1)", "is terminated, so it bills no more",
            "then run phase 1 again: a replacement in this deployment");
        Assert.DoesNotContain("Failed to run module", await h.Core.LogTextAsync(state)); // the log's lines up to the failure
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}"); // not the wait's limit
        // The instance can never serve Airflow: it is ended, and the meters stop counting it, its volume and its address.
        Assert.Equal("shutting-down", (await h.Cloud.FindInstanceAsync(await h.DeploymentIdAsync(), default))!.State);
        var resources = (await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources;
        Assert.NotNull(resources.Single(r => r.Kind == AwsResourceKinds.Instance).DeletedAt);
        Assert.Contains(resources, r => r.Kind == AwsResourceKinds.Bucket && r.DeletedAt is null); // the rest waits for phase 7
    }

    /// <summary>
    /// A default subnet that assigns no public IPv4 address (MapPublicIpOnLaunch off) gives an instance that can reach
    /// neither apt nor PyPI and that the panel cannot reach: ended at once, not after the wait's limit on the bill.
    /// </summary>
    [Fact]
    public async Task An_instance_running_without_a_public_address_fails_phase_one_at_once_and_is_terminated()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        // One default subnet of three assigns addresses (the checklist's amber), and EC2, asked without a zone since it
        // gave no spot prices to choose one by, launches the instance in another.
        h.Cloud.SubnetsAssignPublicAddresses = false;
        h.Cloud.SubnetsAssigningAnyway = 1;
        h.Cloud.SpotPrices.Clear();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "is running without a public IPv4 address: the default subnet it was launched in does not assign one",
            "is terminated, so it bills no more", "Edit subnet settings", "then run phase 1 again for a replacement");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}"); // not the wait's 10 s limit
        Assert.Equal("shutting-down", (await h.Cloud.FindInstanceAsync(await h.DeploymentIdAsync(), default))!.State);
        Assert.NotNull((await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources.Single(r => r.Kind == AwsResourceKinds.Instance).DeletedAt);
    }

    /// <summary>
    /// EC2 may show a running instance for a moment before its public address: within the grace, phase 1 waits for it
    /// and goes on, ending nothing.
    /// </summary>
    [Fact]
    public async Task An_address_EC2_shows_a_few_looks_after_the_instance_runs_is_waited_for_within_the_grace()
    {
        await using var h = await AwsTargetHarness.StartAsync(addresslessGrace: TimeSpan.FromSeconds(10));
        h.Cloud.PublicAddressLag = 3;

        var state = await h.Core.RunAsync(1);

        Succeeded(state, "");
        var instance = (await h.Cloud.FindInstanceAsync(await h.DeploymentIdAsync(), default))!;
        Assert.Equal(("running", "198.51.100.7"), (instance.State, instance.PublicIp));
    }

    [Fact]
    public async Task Phase_one_refuses_a_default_VPC_whose_subnets_assign_no_public_address_before_creating_anything()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.SubnetsAssignPublicAddresses = false;

        FailedSaying(await h.Core.RunAsync(1), "No default subnet of vpc-default assigns public IPv4 addresses", "Edit subnet settings", "Phase 1 stopped before creating anything");
        Assert.Empty(h.Cloud.Instances);
        Assert.Empty((await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources);
    }

    [Fact]
    public async Task Phase_one_refuses_a_default_VPC_that_VPC_Block_Public_Access_closes_before_creating_anything()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.PublicAccessBlock = new("block-ingress", true, []);

        FailedSaying(await h.Core.RunAsync(1), "VPC Block Public Access (block-ingress) blocks the internet gateway of the default VPC vpc-default",
            "allow-bidirectional", "Phase 1 stopped before creating anything");
        Assert.Empty(h.Cloud.Instances);
        Assert.Empty((await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources);
        Assert.Equal(CheckOutcome.Failed, (await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default)).Single(i => i.Name == VpcPublicAccessCheck.Name).Outcome);
    }

    /// <summary>An EC2 that cannot say (an emulator, a policy without the new action): amber, and phase 1 goes on saying where to look.</summary>
    [Fact]
    public async Task VPC_Block_Public_Access_EC2_cannot_tell_is_amber_and_phase_one_goes_on()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.PublicAccessBlockFailure = FakeAwsCloud.Error("ec2:DescribeVpcBlockPublicAccessOptions", "UnauthorizedOperation", "You are not authorized to perform this operation.");

        var state = await h.Core.RunAsync(1);

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Contains("Could not ask EC2 whether VPC Block Public Access blocks the default VPC: AWS denied ec2:DescribeVpcBlockPublicAccessOptions", await h.Core.LogTextAsync(state));
        Assert.Equal(CheckOutcome.Warning, (await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default)).Single(i => i.Name == VpcPublicAccessCheck.Name).Outcome);
    }

    /// <summary>
    /// The operator policy lets a role be created only with the role boundary, which an administrator creates: without
    /// it, the checklist is red, "Create the roles" and phases 1 and 2 stop before creating anything of theirs, each
    /// saying who creates it and how; the roles the phases create carry it.
    /// </summary>
    [Fact]
    public async Task Without_the_role_boundary_the_checklist_is_red_and_no_role_or_resource_is_created()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var checklist = h.Get<AwsChecklist>();
        var settings = await h.Core.Settings.GetAsync();
        Assert.Equal(CheckOutcome.Passed, Item(await checklist.RunAsync(settings, default), RoleBoundary.CheckName).Outcome);
        h.Cloud.RoleBoundaryState = RoleBoundaryState.Missing;

        var line = Item(await checklist.RunAsync(settings, default), RoleBoundary.CheckName);
        Assert.Equal(CheckOutcome.Failed, line.Outcome);
        Assert.Contains("aws iam create-policy --policy-name cord19-role-boundary --path /cord19/", line.Fix);
        var refused = await Assert.ThrowsAsync<RoleBoundaryMissingException>(() => checklist.CreateRolesAsync(settings, default));
        Assert.Contains("An administrator of the account creates it once", refused.Message);
        FailedSaying(await h.Core.RunAsync(1), "cord19-role-boundary does not exist", "aws iam create-policy", "Phase 1 stopped before creating anything");
        Assert.Empty(h.Cloud.Roles);
        Assert.Empty((await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources);

        // Deleted after phase 1: phase 2 stops before its roles and its cluster.
        h.Cloud.RoleBoundaryState = RoleBoundaryState.Current;
        Succeeded(await h.Core.RunAsync(1), "");
        Assert.Equal(RoleBoundary.ArnIn("123456789012"), h.Cloud.RoleBoundaries[(await h.NamesAsync()).InstanceRole]);
        h.Cloud.RoleBoundaryState = RoleBoundaryState.Missing;
        FailedSaying(await h.Core.RunAsync(2), "cord19-role-boundary does not exist", "No cluster was created");
        Assert.Empty(h.Cloud.Clusters);
        Assert.False(h.Cloud.Roles.ContainsKey(AwsNames.SpectrumRole));
    }

    /// <summary>A shared role an earlier version made carries no boundary: its line says so, and "Create the roles" gives it one.</summary>
    [Fact]
    public async Task A_shared_role_without_the_role_boundary_is_amber_until_the_roles_are_created_again()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var checklist = h.Get<AwsChecklist>();
        var settings = await h.Core.Settings.GetAsync();
        h.Cloud.Roles[AwsNames.SpectrumRole] = $"arn:aws:iam::123456789012:role/cord19/{AwsNames.SpectrumRole}";

        var line = Item(await checklist.RunAsync(settings, default), $"IAM role {AwsNames.SpectrumRole}");
        Assert.Equal(CheckOutcome.Warning, line.Outcome);
        Assert.Contains("carries no permissions boundary (an earlier version made it)", line.Detail);
        Assert.Contains("Create the roles", line.Fix);

        await checklist.CreateRolesAsync(settings, default);

        var mended = Item(await checklist.RunAsync(settings, default), $"IAM role {AwsNames.SpectrumRole}");
        Assert.Equal(CheckOutcome.Passed, mended.Outcome);
        Assert.Contains("within the role boundary", mended.Detail);
    }

    [Fact]
    public async Task A_role_boundary_that_differs_from_this_versions_is_amber_and_phase_one_goes_on_saying_so()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.RoleBoundaryState = RoleBoundaryState.Differs;

        Assert.Equal(CheckOutcome.Warning, Item(await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default), RoleBoundary.CheckName).Outcome);
        var state = await h.Core.RunAsync(1);

        Succeeded(state, "");
        Assert.Contains("differs from this version's boundary", await h.Core.LogTextAsync(state));
    }

    [Fact]
    public async Task A_first_boot_that_failed_on_an_instance_that_cannot_be_terminated_says_it_bills_until_phase_seven()
    {
        await using var h = await AwsTargetHarness.StartAsync(airflowReadyLimit: TimeSpan.FromSeconds(30));
        h.Airflow.Failure = new AirflowException(AirflowProblem.Unreachable, "connection refused");
        h.Cloud.ConsoleOutput = $"E: Unable to locate package nginx\n{AirflowUserData.SetupFailed} at line 9 (exit 100)\n";
        h.Cloud.RefuseEveryTermination = true;

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "Unable to locate package nginx", "could not be terminated", "bills until phase 7 ends it");
        Assert.Null((await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources.Single(r => r.Kind == AwsResourceKinds.Instance).DeletedAt);
    }

    [Fact]
    public async Task A_spot_interruption_while_Airflow_starts_fails_phase_one_at_once_with_AWSs_reason()
    {
        await using var h = await AwsTargetHarness.StartAsync(airflowReadyLimit: TimeSpan.FromMinutes(5));
        h.Airflow.Failure = new AirflowException(AirflowProblem.Unreachable, "connection refused");
        using var interrupt = new CancellationTokenSource();
        var interrupter = Task.Run(async () =>
        {
            // EC2 takes the spot capacity back once the instance runs.
            while (!interrupt.IsCancellationRequested)
            {
                foreach (var (token, (state, spec)) in h.Cloud.Instances.ToList())
                    if (state.State == "running")
                        h.Cloud.Instances[token] = (state with { State = "terminated", StateReason = "Server.SpotInstanceTermination: Spot instance termination" }, spec);
                await Task.Delay(5);
            }
        });
        var clock = Stopwatch.StartNew();

        var phase = await h.Core.RunAsync(1);
        await interrupt.CancelAsync();
        await interrupter;

        FailedSaying(phase, "SpotInstanceTermination", "a spot interruption", "Run phase 1 again for a replacement in this deployment");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Teardown_says_at_once_when_an_instance_cannot_be_terminated_and_deletes_the_rest()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var id = await h.DeploymentIdAsync();
        var instance = (await h.Cloud.FindInstanceAsync(id, default))!;
        h.Cloud.Unterminatable.Add(instance.InstanceId);

        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        FailedSaying(teardown, $"Instance {instance.InstanceId} could not be terminated", "EC2 console");
        // The group its network interface holds is tried once, not waited on for half an hour.
        Assert.Equal(1, h.Cloud.Calls.Count(c => c.StartsWith("delete group", StringComparison.Ordinal)));
        Assert.Empty(h.Cloud.Secrets);
        Assert.Empty(h.Cloud.Buckets);
    }

    [Fact]
    public async Task Teardown_terminates_every_instance_with_the_deployments_tag_whatever_launched_it()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var id = await h.DeploymentIdAsync();
        var (state, spec) = h.Cloud.Instances.Single().Value;
        // A second instance with the deployment's tag, launched with another client token (by hand, or a retried call).
        h.Cloud.Instances["another-token"] = (state with { InstanceId = "i-0second" }, spec with { ClientToken = "another-token" });

        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        Succeeded(teardown, await h.Core.LogTextAsync(teardown));
        Assert.Contains("terminate i-0second", h.Cloud.Calls);
        Assert.All(h.Cloud.Instances.Values, i => Assert.Equal("terminated", i.State.State));
    }

    [Fact]
    public async Task Teardown_terminates_the_other_instances_when_ec2_refuses_one()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var refused = await TwoInstancesTheFirstRefusedAsync(h);

        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        // Before, the refusal of the first ended the loop: the second, never asked, ran on.
        FailedSaying(teardown, $"Instance {refused} could not be terminated", "EC2 console");
        Assert.Contains("terminate i-0second", h.Cloud.Calls);
        Assert.Equal("terminated", h.Cloud.Instances["another-token"].State.State);
    }

    /// <summary>Phase 1's instance, which EC2 will refuse to terminate, and a second one of the deployment (i-0second); returns the first's id.</summary>
    private static async Task<string> TwoInstancesTheFirstRefusedAsync(AwsTargetHarness h)
    {
        Succeeded(await h.Core.RunAsync(1), "");
        var (state, spec) = h.Cloud.Instances.Single().Value;
        h.Cloud.Instances["another-token"] = (state with { InstanceId = "i-0second" }, spec with { ClientToken = "another-token" });
        h.Cloud.Unterminatable.Add(state.InstanceId);
        return state.InstanceId;
    }

    /// <summary>The other instance slower to end than phase 7 waits: the refusal, the one thing a person must act on, is still said.</summary>
    [Fact]
    public async Task Teardown_names_the_refused_instance_when_it_also_gives_up_waiting_for_another()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var refused = await TwoInstancesTheFirstRefusedAsync(h);
        h.Cloud.SlowToTerminate.Add("i-0second");

        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        FailedSaying(teardown, "Gave up waiting for instance i-0second terminated", $"Instance {refused} could not be terminated", "EC2 console");
    }

    [Fact]
    public async Task A_retried_DAG_phase_follows_the_run_it_started_instead_of_starting_a_second_one()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        ReadyDags(h);
        h.Airflow.TasksOfNewRuns[PipelineDefinition.PreprocessingDag] = [new AirflowTaskInstance("preprocess", "failed", 1, null, null, 2.0)];
        for (var phase = 1; phase <= 3; phase++) Succeeded(await h.Core.RunAsync(phase), "");
        FailedSaying(await h.Core.RunAsync(4), "failed at task preprocess");
        var run = Assert.Single(h.Airflow.Runs[PipelineDefinition.PreprocessingDag]);
        Assert.StartsWith("cord19__", run.RunId);
        // Fixed in Airflow (the failed task retried there), then the phase run again:
        h.Airflow.SetTasks(run.RunId, new AirflowTaskInstance("preprocess", "success", 2, null, null, 2.0));

        var again = await h.Core.RunAsync(4);

        Succeeded(again, await h.Core.LogTextAsync(again));
        Assert.Single(h.Airflow.Runs[PipelineDefinition.PreprocessingDag]);
        Assert.Contains("exists already (success): following it", await h.Core.LogTextAsync(again));

        // A run after a success is a new attempt: a new DAG run.
        h.Airflow.TasksOfNewRuns[PipelineDefinition.PreprocessingDag] = [new AirflowTaskInstance("preprocess", "success", 1, null, null, 2.0)];
        Succeeded(await h.Core.RunAsync(4), "");
        Assert.Equal(2, h.Airflow.Runs[PipelineDefinition.PreprocessingDag].Count);
    }

    [Fact]
    public async Task A_lost_password_parameter_is_not_silently_replaced_while_the_instance_still_uses_the_old_one()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var names = await h.NamesAsync();
        h.Cloud.Secrets.Remove(names.AirflowPasswordParameter);

        var again = await h.Core.RunAsync(1);

        FailedSaying(again, "is gone", "still runs Airflow with the old password", "Rotate the Airflow password");
        Assert.False(h.Cloud.Secrets.ContainsKey(names.AirflowPasswordParameter));

        // The offered rotation: a new SecureString, which the instance reads with its own role and sets in Airflow.
        var said = await h.Get<AirflowPasswordRotation>().RotateAsync(default);

        Assert.Contains("set on i-", said);
        Assert.True(h.Cloud.Secrets.ContainsKey(names.AirflowPasswordParameter));
        var script = h.Cloud.Commands[^1];
        Assert.Contains($"'{names.AirflowPasswordParameter}'", script);
        Assert.Contains("airflow users create --username admin --password \"$P\"", script); // in Airflow's database, as FAB keeps it
        Assert.DoesNotContain(h.Cloud.Secrets[names.AirflowPasswordParameter].Value, script);
        await ShellSyntax.AssertParsesAsync("/bin/dash", script);
        Succeeded(await h.Core.RunAsync(1), "");
    }

    [Fact]
    public async Task Rotating_creates_the_admin_again_in_Airflows_database_for_every_release()
    {
        var names = new AwsNames(Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), "123456789012", "us-east-2");
        var script = string.Join("\n", AirflowPasswordRotation.Script(names, "us-east-2"));

        // Airflow 2 and Airflow 3 (FAB's auth manager) both hash the admin's password in their database; no plain password file.
        Assert.Contains("airflow users delete --username admin", script);
        Assert.Contains("airflow users create --username admin --password \"$P\"", script);
        Assert.DoesNotContain("passwords.json", script);
        await ShellSyntax.AssertParsesAsync("/bin/dash", script);
    }

    [Fact]
    public async Task The_Airflow_client_talks_only_to_the_pinned_certificate()
    {
        var now = DateTimeOffset.UtcNow;
        var deployment = AirflowCertificate.Create("cord19-1a2b3c4d.airflow.invalid", now);
        var impostor = AirflowCertificate.Create("cord19-1a2b3c4d.airflow.invalid", now);
        await using var server = await InstanceAirflowStandIn.StartAsync();
        server.ServedCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(deployment.CertificatePem, deployment.KeyPem);
        using var services = new ServiceCollection().AddCord19AwsTarget().BuildServiceProvider();
        var connector = services.GetRequiredService<IAirflowConnector>();

        var health = await connector.Connect(InstanceAirflow.Options(server.BaseUrl, "2.10.5", null, deployment.Sha256)).GetHealthAsync();
        var refused = await Assert.ThrowsAsync<AirflowException>(() => connector.Connect(InstanceAirflow.Options(server.BaseUrl, "2.10.5", "secret", impostor.Sha256)).ListDagsAsync());

        Assert.True(health.IsHealthy);
        Assert.Equal(AirflowProblem.UntrustedCertificate, refused.Problem);
        Assert.Contains("not this deployment's", refused.Message);
        Assert.Equal(1, server.Requests); // the refused connection sent nothing, no password
    }
}
