using Cord19.Core.Airflow;
using Cord19.Core.Aws;
using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Aws;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cord19.Tests.Targets;

/// <summary>
/// The AWS target's logic against its own seam (<see cref="FakeAwsCloud"/>): what it creates, in which order,
/// with which settings, what it records first, how it resumes and how it tears down. The requests behind the
/// seam are checked against the botocore models in the contract tests.
/// </summary>
public sealed class AwsTargetTests
{
    internal static void Succeeded(PhaseState state, string log) =>
        Assert.True(state.Status == PhaseStatus.Succeeded, $"phase {state.Phase.Number}: {state.LatestRun?.Reason}\n{log}");

    internal static void FailedSaying(PhaseState state, params string[] fragments)
    {
        Assert.Equal(PhaseStatus.Failed, state.Status);
        foreach (var fragment in fragments) Assert.Contains(fragment, state.LatestRun!.Reason);
    }

    internal static void ReadyDags(AwsTargetHarness h)
    {
        foreach (var dag in PipelineDagRuns.DagIds)
            h.Airflow.Dags.Add(new AirflowDag(dag, dag, IsPaused: true, null, ["cord19"], HasImportErrors: false));
    }

    [Fact]
    public async Task Phase_one_records_each_resource_before_creating_it_and_opens_Airflow_to_the_operator_only()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var unrecorded = new List<string>();
        h.Cloud.BeforeCreate = async (kind, name) =>
        {
            var id = await h.DeploymentIdAsync();
            if (!(await h.Core.Store.GetLiveResourcesAsync(id)).Any(r => r.Kind == kind && r.Locator == name)) unrecorded.Add($"{kind} {name}");
        };

        var state = await h.Core.RunAsync(1);

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Empty(unrecorded);
        var id = await h.DeploymentIdAsync();
        var names = new AwsNames(id, "123456789012", "us-east-2");
        Assert.Equal(["8080 from 203.0.113.7/32"], h.Cloud.Groups[names.AirflowSecurityGroup].Ingress);
        var (instance, spec) = h.Cloud.Instances[names.InstanceClientToken];
        Assert.Equal("running", (await h.Cloud.FindInstanceAsync(id, default))!.State);
        Assert.Equal(("m5.xlarge", 0.12m, names.InstanceRole), (spec.InstanceType, spec.MaxPricePerHour, spec.InstanceProfileName));
        Assert.Equal(id.ToString(), spec.Tags[ResourceTags.DeploymentKey]);
        Assert.Equal("1", spec.Tags[ResourceTags.PhaseKey]);
        var password = h.Cloud.Secrets[names.AirflowPasswordParameter].Value;
        Assert.Contains("apache-airflow[postgres,fab]==${AIRFLOW_VERSION}", spec.UserData); // FAB: the admin hashed in Airflow's database
        Assert.Contains("AIRFLOW_VERSION=3.2.2", spec.UserData); // Airflow 3 by default: Airflow 2's end of life was 2026-04-22
        Assert.Contains(names.AirflowPasswordParameter, spec.UserData);
        Assert.DoesNotContain(password, spec.UserData);
        Assert.DoesNotContain("admin/admin", spec.UserData);
        Assert.Contains($"+ 28800 )) > {InstanceEndOfLife.DeadlineFile}", spec.UserData); // Settings' 8-hour maximum lifetime, enforced by the instance itself
        // HTTPS to the instance, with the certificate phase 1 made pinned; its key went to the instance through SSM only.
        var pin = AirflowCertificate.Sha256Of(h.Cloud.Secrets[names.AirflowCertificateParameter].Value);
        Assert.Contains(h.Connector.Connections, c => c.Password == password && c.Username == "admin" && c.ApiVersion == AirflowApiVersion.V2
                                                        && c.BaseUrl.ToString() == "https://198.51.100.7:8080/" && c.CertificateSha256 == pin);
        Assert.Contains("PRIVATE KEY", h.Cloud.Secrets[names.AirflowTlsKeyParameter].Value);
        Assert.DoesNotContain("PRIVATE KEY", spec.UserData);
        Assert.True(h.Cloud.Buckets.ContainsKey(names.Bucket));
        Assert.Contains("Airflow is healthy", await h.Core.LogTextAsync(state));
        Assert.Contains("It ends itself 8 h after its first boot (the maximum lifetime)", await h.Core.LogTextAsync(state));
    }

    [Fact]
    public async Task Phase_one_run_again_after_a_failure_finds_what_the_first_attempt_made()
    {
        await using var h = await AwsTargetHarness.StartAsync(airflowReadyLimit: TimeSpan.FromMilliseconds(50));
        h.Airflow.Failure = new AirflowException(AirflowProblem.Unreachable, "connection refused");

        var failed = await h.Core.RunAsync(1);
        Assert.Equal(PhaseStatus.Failed, failed.Status);
        Assert.Contains("Gave up waiting for Airflow", failed.LatestRun!.Reason);
        var passwordParameter = h.Cloud.Secrets.Keys.Single(k => k.EndsWith("/airflow-admin-password", StringComparison.Ordinal));
        var password = h.Cloud.Secrets[passwordParameter].Value;
        var recorded = (await h.Core.Store.GetSnapshotAsync()).Resources.ToDictionary(r => r.Locator, r => r.CreatedAt);

        h.Airflow.Failure = null;
        var again = await h.Core.RunAsync(1, resume: true);

        Succeeded(again, await h.Core.LogTextAsync(again));
        Assert.Single(h.Cloud.Instances);
        Assert.Single(h.Cloud.Groups);
        Assert.Single(h.Cloud.Buckets);
        Assert.Equal(password, h.Cloud.Secrets[passwordParameter].Value);
        // Recorded again by the resumed run, each keeps the age the meters bill it from.
        Assert.Equal(recorded, (await h.Core.Store.GetSnapshotAsync()).Resources.ToDictionary(r => r.Locator, r => r.CreatedAt));
    }

    [Fact]
    public async Task A_spot_price_above_the_max_fails_with_the_fix_and_launches_nothing()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        (h.Cloud.SpotPrices["us-east-2a"], h.Cloud.SpotPrices["us-east-2b"], h.Cloud.SpotPrices["us-east-2c"]) = (0.3m, 0.2m, 0.25m);

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "$0.2/h at the cheapest (us-east-2b), above your max of $0.12/h", "Raise the spot max price");
        Assert.Empty(h.Cloud.Instances);
    }

    [Theory]
    [InlineData("UnauthorizedOperation", "AWS denied ec2:RunInstances", "Allow ec2:RunInstances")]
    [InlineData("InsufficientInstanceCapacity", "AWS has no room for ec2:RunInstances", "pick another instance type")]
    [InlineData("VcpuLimitExceeded", "AWS has no room", "Spot Instance Requests")]
    [InlineData("AuthFailure.ServiceLinkedRoleCreationNotPermitted", "AWS denied ec2:RunInstances", "aws iam create-service-linked-role --aws-service-name spot.amazonaws.com")]
    public async Task Refusals_name_the_action_and_the_fix(string code, string cause, string fix)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.RunInstancesFailure = FakeAwsCloud.Error("ec2:RunInstances", code, "refused by the test");

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, cause, fix);
        Assert.Empty(h.Cloud.Instances);
    }

    [Fact]
    public async Task Expired_credentials_fail_with_how_to_sign_in_and_create_nothing()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.IdentityFailure = FakeAwsCloud.Error("sts:GetCallerIdentity", "ExpiredToken", "The security token included in the request is expired");

        var state = await h.Core.RunAsync(1);

        FailedSaying(state, "did not accept the credentials for sts:GetCallerIdentity", "aws sso login");
        Assert.Empty(h.Cloud.Buckets);
        Assert.Empty((await h.Core.Store.GetSnapshotAsync()).Resources);

        // Nothing recorded means nothing created: the deployment can still be ended without reaching AWS.
        var ended = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());
        Succeeded(ended, await h.Core.LogTextAsync(ended));
        Assert.Contains("nothing to delete", await h.Core.LogTextAsync(ended));
    }

    [Fact]
    public async Task Phase_two_without_the_data_lake_names_the_Glue_table_and_the_template()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.Lake = null;

        var state = await h.Core.RunAsync(2);

        FailedSaying(state, "covid-19.alleninstitute_metadata", "CloudFormation");
        Assert.Empty(h.Cloud.Clusters);
    }

    [Fact]
    public async Task A_phase_two_that_fails_once_the_cluster_is_up_pauses_it_and_the_next_run_resumes_it()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var cluster = new AwsNames(await h.DeploymentIdAsync(), "123456789012", "us-east-2").Cluster;
        h.Cloud.SqlFailure = sql => sql.StartsWith("unload", StringComparison.Ordinal)
            ? FakeAwsCloud.Error("redshift-data:ExecuteStatement", "StatementFailed", "the query failed: S3ServiceException: Access Denied")
            : null;

        var failed = await h.Core.RunAsync(2);

        // Left available, it would bill node-hours until phase 7, with nothing to end it while the panel is closed.
        Assert.Equal(PhaseStatus.Failed, failed.Status);
        Assert.Contains($"pause cluster {cluster}", h.Cloud.Calls);
        Assert.Equal("pausing", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);
        Assert.DoesNotContain(await h.Core.Store.GetLiveResourcesAsync(await h.DeploymentIdAsync()), r => r.Kind == AwsResourceKinds.ClusterCompute);
        Assert.Contains($"cluster {cluster} is being paused", await h.Core.LogTextAsync(failed));
        var firstPause = h.Cloud.PauseSchedules[DeploymentNames.PauseScheduleOf(cluster)].At;

        h.Cloud.SqlFailure = null;
        var again = await h.Core.RunAsync(2);

        Succeeded(again, await h.Core.LogTextAsync(again));
        Assert.Contains($"resume cluster {cluster}", h.Cloud.Calls);
        Assert.Equal("paused", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);
        // The resumed cluster's scheduled pause counts from the second run, not the first.
        Assert.True(h.Cloud.PauseSchedules[DeploymentNames.PauseScheduleOf(cluster)].At > firstPause, "rescheduled from the second run");
    }

    [Fact]
    public void Redshifts_scheduled_pause_comes_after_the_longest_a_phase_two_can_use_its_cluster()
    {
        // From its request: the wait for the cluster, then the external schema, the count and the UNLOAD.
        var options = new AwsTargetOptions();
        Assert.True(options.ClusterPauseBackstop > options.ClusterLimit + 3 * AwsCloud.SqlLimit,
            $"a pause at {options.ClusterPauseBackstop} could cut into a phase 2 still within its limits");
    }

    [Theory]
    [InlineData("AccessDenied", 403, "Allow redshift:CreateScheduledAction")]
    // Retried already: the way to try again is phase 2 (not the fix a failed call usually gets, "wait a minute and try again").
    [InlineData("InternalError", 500, "Run phase 2 again to ask once more")]
    public async Task Without_Redshifts_scheduler_phase_two_still_runs_and_says_what_pauses_the_cluster_meanwhile(string code, int status, string fix)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.ScheduleFailure = FakeAwsCloud.Error("redshift:CreateScheduledAction", code, "refused", (System.Net.HttpStatusCode)status);

        var state = await h.Core.RunAsync(2);

        // A backstop missing is a warning: the phase's own pause, at its end, is what usually pauses the cluster.
        var log = await h.Core.LogTextAsync(state);
        Succeeded(state, log);
        Assert.Empty(h.Cloud.PauseSchedules);
        Assert.Equal("paused", h.Cloud.Clusters.Single().Value.State.Status);
        Assert.Contains("Redshift's scheduler was not given a pause", log);
        Assert.Contains(fix, log);
        Assert.DoesNotContain("Wait a minute and try again", log);
        Assert.Contains("pause it in the Redshift console", log);
    }

    [Fact]
    public async Task Deleting_a_lost_deployments_cluster_deletes_its_pause_schedule_too()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var lost = new AwsNames(Guid.NewGuid(), "123456789012", "us-east-2");
        await h.Cloud.CreateClusterAsync(new ClusterSpec(lost.Cluster, "ra3.large", 1, AwsNames.Database, AwsNames.MasterUser, "Cx9secretSecret1",
            "arn:aws:iam::123456789012:role/cord19/cord19-redshift-spectrum", "sg-1", ResourceTags.For(lost.DeploymentId, 2)), default);
        var scheduler = await h.Cloud.EnsureRoleAsync(AwsRoles.Scheduler, "123456789012", default);
        await h.Cloud.SchedulePauseAsync(new PauseSchedule(lost.ClusterPauseSchedule, lost.Cluster, DateTimeOffset.UtcNow.AddHours(2), scheduler, "lost"), default);

        var deletion = await h.Get<AwsReconciler>().DeleteOrphansAsync("us-east-2", AwsReconciler.OrphanConfirmation("us-east-2"), default);

        Assert.Contains($"{AwsResourceKinds.Cluster} {lost.Cluster}", deletion.Deleted);
        Assert.Empty(h.Cloud.PauseSchedules);
    }

    [Fact]
    public async Task A_phase_two_cancelled_for_de_allocation_leaves_the_cluster_to_phase_seven_unpaused()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var cluster = new AwsNames(await h.DeploymentIdAsync(), "123456789012", "us-east-2").Cluster;
        h.Cloud.UnloadHold = new TaskCompletionSource();
        var export = await h.Core.Phases.RequestAsync(new RunRequest(2));
        await h.Cloud.UnloadReached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());
        await h.Core.Scheduler.WaitAsync(export.Run!.Id);

        // A pause on the way out would only make phase 7 wait for it before deleting the cluster.
        Succeeded(teardown, await h.Core.LogTextAsync(teardown));
        Assert.Equal(PhaseStatus.Interrupted, (await h.Core.Store.FindRunAsync(export.Run.Id))!.Status);
        Assert.DoesNotContain($"pause cluster {cluster}", h.Cloud.Calls);
        Assert.Contains($"delete cluster {cluster}", h.Cloud.Calls);
    }

    [Fact]
    public async Task The_seven_phases_deploy_run_the_DAGs_bring_the_results_home_and_leave_nothing_tagged()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        ReadyDags(h);
        h.Airflow.TasksOfNewRuns[PipelineDefinition.PreprocessingDag] = [new AirflowTaskInstance("preprocess", "success", 1, null, null, 2.0)];
        h.Airflow.TasksOfNewRuns[PipelineDefinition.ProcessingDag] = [new AirflowTaskInstance("process", "success", 1, null, null, 3.0)];

        var beforePhase2 = DateTimeOffset.UtcNow;
        for (var phase = 1; phase <= 4; phase++)
            Succeeded(await h.Core.RunAsync(phase), await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[phase]));
        var id = await h.DeploymentIdAsync();
        var names = new AwsNames(id, "123456789012", "us-east-2");

        // Phase 2: one encrypted, private RA3 node behind a group only the instance may use, Spectrum over Glue, a test
        // query, the data lake exported to the bucket, then the cluster paused.
        var cluster = h.Cloud.Clusters[names.Cluster].Spec;
        Assert.Equal(("ra3.large", 1, AwsNames.SpectrumRole), (cluster.NodeType, cluster.Nodes, cluster.SpectrumRoleArn.Split('/')[^1]));
        Assert.Empty(h.Cloud.Groups[names.RedshiftSecurityGroup].Ingress);
        Assert.Contains(h.Cloud.Sql, s => s.Contains("from data catalog database 'covid-19'") && s.Contains(cluster.SpectrumRoleArn));
        Assert.Contains(h.Cloud.Sql, s => s.StartsWith("unload ('select * from covid19_lake.alleninstitute_metadata') to 's3://" + names.Bucket + "/exports/metadata_'", StringComparison.Ordinal)
                                          && s.Contains("format as csv header gzip parallel off"));
        Assert.Equal("paused", h.Cloud.Clusters[names.Cluster].State.Status);
        // Redshift's own scheduler pauses the cluster too, as the scheduler role, should the panel stop before phase 2's end.
        var pause = h.Cloud.PauseSchedules[names.ClusterPauseSchedule];
        Assert.Equal((names.Cluster, h.Cloud.Roles[AwsNames.SchedulerRole]), (pause.Cluster, pause.RoleArn));
        Assert.InRange(pause.At - beforePhase2, TimeSpan.FromHours(2), TimeSpan.FromHours(2) + (DateTimeOffset.UtcNow - beforePhase2));
        Assert.True(h.Cloud.Calls.ToList().FindIndex(c => c.StartsWith("create cluster", StringComparison.Ordinal))
                    < h.Cloud.Calls.ToList().FindIndex(c => c.StartsWith("schedule pause", StringComparison.Ordinal)));
        var phase2Log = await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[2]);
        Assert.Contains("even if the panel has stopped by then", phase2Log);
        Assert.Contains("52,398 papers", phase2Log);
        Assert.Contains("bills its managed storage only", phase2Log);

        // Phase 3: files through S3 and Run Command; no SSH, nothing compiled.
        var install = Assert.Single(h.Cloud.Commands);
        Assert.Contains("tar -xzf /tmp/cord19-pipeline.tar.gz -C /opt/cord19/pipeline", install);
        Assert.DoesNotContain("pipefail", install);
        await ShellSyntax.AssertParsesAsync("/bin/dash", install); // Run Command runs it with sh (dash on Ubuntu)
        Assert.Contains($"variables set cord19_results s3://{names.Bucket}/results", install);
        Assert.Contains($"https://{names.Bucket}.s3.example/exports/metadata_000.gz", install); // phase 4 pre-processes the data lake's export
        Assert.Contains("Metadata source: the COVID-19 data lake", await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[3]));
        Assert.DoesNotContain("ssh", install);
        Assert.DoesNotContain("dotnet build", install);
        Assert.All(h.Airflow.Dags, d => Assert.False(d.IsPaused));

        // Phase 4: the pre-processing DAG triggered through the Airflow client.
        Assert.Contains($"trigger {PipelineDefinition.PreprocessingDag}", h.Airflow.Calls);

        // Phase 5: the pipeline on the instance publishes under Airflow's run id in the bucket; the phase copies it home.
        var bucketResults = new ResultStore(h.Cloud.Objects(names.AccountBucket, names.ResultsPrefix));
        await bucketResults.PublishRunAsync(SyntheticRun.Create("manual__0", 40), default);
        Succeeded(await h.Core.RunAsync(5), "");
        Assert.Equal("subset", h.Airflow.LastTrigger!.Conf["scope"]!.GetValue<string>());
        // The pipeline on the instance runs with the phase's settings, which the DAG's task reads from the bucket.
        Assert.Equal($"s3://{names.Bucket}/deploy/settings-phase5.json", h.Airflow.LastTrigger.Conf["settings"]!.GetValue<string>());
        await using (var sent = await h.Cloud.Objects(names.AccountBucket, "deploy/").OpenReadAsync("settings-phase5.json", default))
            Assert.Equal(6, (await System.Text.Json.JsonSerializer.DeserializeAsync<PipelineSettings>(sent!, SettingsStore.Json))!.Clusters);
        Assert.Contains("manual__0", (await h.Core.Results.ListRunsAsync(default)).Runs.Select(r => r.RunId));

        await bucketResults.PublishRunAsync(SyntheticRun.Create("manual__1", 60), default);
        Succeeded(await h.Core.RunAsync(6), "");
        Assert.Equal("full", h.Airflow.LastTrigger!.Conf["scope"]!.GetValue<string>());

        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        var log = await h.Core.LogTextAsync(teardown);
        Succeeded(teardown, log);
        var calls = h.Cloud.Calls.ToList();
        int At(string prefix) => calls.FindIndex(c => c.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(At("terminate") < At("delete group") && At("delete cluster") < At("delete group"), string.Join("\n", calls));
        Assert.Equal("delete bucket", calls[^1].Split(' ')[0] + " " + calls[^1].Split(' ')[1]);
        Assert.Contains("0 left", log);
        Assert.Empty(await h.Cloud.FindTaggedAsync(id, default));
        Assert.All((await h.Core.Store.GetSnapshotAsync()).Resources, r => Assert.NotNull(r.DeletedAt));
        Assert.Equal(["manual__0", "manual__1"], (await h.Core.Results.ListRunsAsync(default)).Runs.Select(r => r.RunId).Order());
        // The cluster's pause schedule goes, and only once the cluster is gone, so that it stood until then.
        Assert.Empty(h.Cloud.PauseSchedules);
        Assert.True(At($"delete pause schedule {names.ClusterPauseSchedule}") > At($"delete cluster {names.Cluster}"), string.Join("\n", calls));
        // The shared roles stay; the deployment's own instance role went with it.
        Assert.Equal(AwsRoles.SharedIn("123456789012").Select(r => r.Name).Order(), h.Cloud.Roles.Keys.Order());
    }

    [Fact]
    public async Task A_DAG_run_the_instances_lifetime_would_cut_off_is_warned_of_before_it_starts()
    {
        // One hour of life; pre-processing is expected to take half of it.
        var settings = new PipelineSettings { Target = DeploymentTarget.Aws, MaxLifetimeHours = 1 };
        await using var h = await ThroughPhaseAsync(settings, 3);

        var four = await h.Core.RunAsync(4);
        var fourLog = await h.Core.LogTextAsync(four);
        Succeeded(four, fourLog);
        Assert.DoesNotContain("ends itself about", fourLog);

        // Two hours expected of the subset now, and a longer lifetime in Settings, which the instance never reads: its
        // deadline was fixed at its first boot.
        Assert.Empty(await h.Core.Settings.SaveAsync(settings with { MaxLifetimeHours = 100, ExpectedPhaseHours = [0.2, 0.25, 0.1, 0.5, 2, 2, 0.1] }));
        var five = await h.Core.RunAsync(5);

        var log = await h.Core.LogTextAsync(five);
        Succeeded(five, log);
        Assert.Matches(@"The instance ends itself about \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, in \d+ min: the maximum lifetime its first boot was given\. " +
            @"Settings expect this phase to take about 2 h, so the run may be cut off with it\.", log);
    }

    /// <summary>
    /// Phase 6 goes by what phase 5 measured on the instance: Settings' hours are a guess made before the instance type
    /// or the corpus was known, and here they would say nothing of a run three times longer than the instance's life.
    /// </summary>
    [Fact]
    public async Task Phase_six_forecasts_its_run_from_phase_fives_on_the_instance_and_warns_when_the_lifetime_ends_first()
    {
        var settings = new PipelineSettings { Target = DeploymentTarget.Aws, MaxLifetimeHours = 1, ExpectedPhaseHours = [0.2, 0.25, 0.1, 0.1, 0.1, 0.1, 0.1] };
        await using var h = await ThroughPhaseAsync(settings, 5);
        await MeasuredOnInstanceAsync(h, corpusDocuments: 200_000, "manual__5");

        var six = await h.Core.RunAsync(6);

        var log = await h.Core.LogTextAsync(six);
        Succeeded(six, log);
        // 90 s for 1,500 documents, both steps linear: 12,000 s for 200,000.
        Assert.Contains("Processing the 200,000 documents should take about 3.3 h on the instance (scaled from the step times of its run manual__5 of 1,500)", log);
        Assert.Matches(@"The instance ends itself about .*: the maximum lifetime its first boot was given\. Processing the 200,000 documents should take about 3\.3 h " +
            @"on the instance \(scaled from the step times of its run manual__5 of 1,500\), so the run may be cut off with it\.", log);
    }

    /// <summary>
    /// Phase 6's peak memory against the launched instance's, less Airflow's 4 GB: 1.2 million documents need about
    /// 4.9 GB, which an 8 GiB instance does not leave beside Airflow, and a 16 GiB one does.
    /// </summary>
    [Theory]
    [InlineData(8 * 1024, true)]
    [InlineData(16 * 1024, false)]
    public async Task Phase_six_warns_before_it_starts_when_its_peak_memory_would_not_fit_beside_Airflow(long instanceMiB, bool warned)
    {
        await using var h = await ThroughPhaseAsync(new PipelineSettings { Target = DeploymentTarget.Aws }, 5);
        await MeasuredOnInstanceAsync(h, corpusDocuments: 1_200_000, "manual__5");
        h.Cloud.InstanceType = new InstanceTypeFacts("m5.xlarge", 2, instanceMiB, ["x86_64"], OfferedAsSpot: true);
        // The Overview's card says it before the click, read with the forecast.
        Assert.Equal(warned, await h.Get<InstanceProcessingForecasts>().MemoryWarningAsync(default) is not null);

        var six = await h.Core.RunAsync(6);

        var log = await h.Core.LogTextAsync(six);
        Succeeded(six, log);
        var warning = $"Processing the 1,200,000 documents needs about 4.9 GB of memory at peak, and the instance (m5.xlarge, {instanceMiB * 1_048_576 / 1e9:0.0} GB) " +
            "keeps about 4.0 GB for Airflow: the run may run out of memory.";
        if (warned) Assert.Contains(warning, log);
        else Assert.DoesNotContain("may run out of memory", log);
    }

    /// <summary>A deployment whose DAG runs succeed, run through phase <paramref name="last"/>.</summary>
    private static async Task<AwsTargetHarness> ThroughPhaseAsync(PipelineSettings settings, int last)
    {
        var h = await AwsTargetHarness.StartAsync(settings);
        ReadyDags(h);
        h.Airflow.TasksOfNewRuns[PipelineDefinition.PreprocessingDag] = [new AirflowTaskInstance("preprocess", "success", 1, null, null, 2.0)];
        h.Airflow.TasksOfNewRuns[PipelineDefinition.ProcessingDag] = [new AirflowTaskInstance("process", "success", 1, null, null, 3.0)];
        try
        {
            for (var phase = 1; phase <= last; phase++) Succeeded(await h.Core.RunAsync(phase), "");
            return h;
        }
        catch
        {
            await h.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// What the instance's pipeline leaves in the deployment's bucket: a corpus, and phase 5's run of 1,500 of its
    /// documents, which took 30 s and 60 s in two steps that grow linearly.
    /// </summary>
    private static async Task MeasuredOnInstanceAsync(AwsTargetHarness h, int corpusDocuments, string runId)
    {
        var names = new AwsNames(await h.DeploymentIdAsync(), "123456789012", "us-east-2");
        var onInstance = new ResultStore(h.Cloud.Objects(names.AccountBucket, names.ResultsPrefix));
        var corpusId = $"20261205-000000-{corpusDocuments:x6}";
        var (stems, tokens) = Stemmed.Of([["tok"]]);
        await onInstance.SaveCorpusAsync(new CorpusManifest(1, corpusId, DateTime.UtcNow, "lake", corpusDocuments, corpusDocuments,
            new Dictionary<string, long>(), new Dictionary<string, object?>(), new Dictionary<string, string>()),
            stems, [new("d1", null, null, null, null, null, "abstract", tokens[0])], default);
        var subset = SyntheticRun.Create(runId, 1_500);
        await onInstance.PublishRunAsync(subset with
        {
            Manifest = subset.Manifest with { CorpusId = corpusId, Scope = RunManifest.SubsetScope, Timings = [new("tfidf", 30), new("topics", 60)] },
        }, default);
    }

    /// <summary>
    /// The Overview's phase 6 on AWS: the same forecast before the click, read from the bucket once for each phase 5 run
    /// (not on every change the page draws), and the phase's cost estimate for that time rather than Settings' hours.
    /// </summary>
    [Fact]
    public async Task Before_phase_six_the_overview_forecasts_it_from_phase_fives_run_on_the_instance_once_per_run()
    {
        await using var h = await ThroughPhaseAsync(new PipelineSettings { Target = DeploymentTarget.Aws }, 4);
        var forecasts = h.Get<InstanceProcessingForecasts>();
        await MeasuredOnInstanceAsync(h, corpusDocuments: 200_000, "manual__5");
        Assert.Null(await forecasts.ForecastAsync(default)); // nothing measured until phase 5 has succeeded

        Succeeded(await h.Core.RunAsync(5), "");
        var forecast = await forecasts.ForecastAsync(default);

        Assert.Equal((200_000, 1_500, 12_000.0), (forecast!.Documents, forecast.MeasuredDocuments, forecast.Total.TotalSeconds));
        var settings = await h.Core.Settings.GetAsync();
        var measured = await forecasts.WithMeasuredHoursAsync(settings, default);
        Assert.Equal([.. settings.ExpectedPhaseHours[..5], 12_000.0 / 3600, settings.ExpectedPhaseHours[6]], measured.ExpectedPhaseHours);
        // So do the Costs page's estimate and the header's planned total: phase 6's 3.3 h rather than Settings' 2 h.
        Assert.Equal(12_000.0 / 3600, (await h.Get<CostHistoryReader>().ReadAsync(default)).Estimates.Single(e => e.Phase == 6).Hours);
        var tick = await h.Get<CostMeterService>().TickAsync();
        var found = (await h.Core.Store.GetWithRunsAsync())!.Value;
        Assert.True(tick.Projected > CostMeterService.Measure(found.Deployment, found.Runs, settings, tick.At).Projected);
        Assert.Equal(tick.Projected, CostMeterService.Measure(found.Deployment, found.Runs, measured, tick.At).Projected);
        // Read once for that run: a second corpus in the bucket changes nothing until phase 5 runs again.
        await MeasuredOnInstanceAsync(h, corpusDocuments: 400_000, "manual__5b");
        Assert.Equal(200_000, (await forecasts.ForecastAsync(default))!.Documents);
        Succeeded(await h.Core.RunAsync(5), "");
        Assert.Equal(400_000, (await forecasts.ForecastAsync(default))!.Documents);
    }

    [Fact]
    public async Task A_bucket_the_overview_cannot_read_for_the_forecast_is_asked_again_after_five_minutes_not_at_every_look()
    {
        await using var h = await ThroughPhaseAsync(new PipelineSettings { Target = DeploymentTarget.Aws }, 5);
        var names = new AwsNames(await h.DeploymentIdAsync(), "123456789012", "us-east-2");
        var bucket = h.Cloud.Objects(names.AccountBucket, names.ResultsPrefix);
        await bucket.WriteAsync("corpus/latest.json", s => s.WriteAsync("{ not json"u8.ToArray()).AsTask(), default);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var forecasts = new InstanceProcessingForecasts(h.Get<IAwsCloudFactory>(), h.Core.Store, h.Core.Settings, clock, NullLogger<InstanceProcessingForecasts>.Instance);

        Assert.Null(await forecasts.ForecastAsync(default));
        await MeasuredOnInstanceAsync(h, corpusDocuments: 200_000, "manual__5");
        clock.Advance(InstanceProcessingForecasts.AskAgainAfterFailure - TimeSpan.FromSeconds(1));
        Assert.Null(await forecasts.ForecastAsync(default));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200_000, (await forecasts.ForecastAsync(default))!.Documents);
    }

    [Fact]
    public async Task Phase_six_goes_by_Settings_hours_when_the_bucket_cannot_say_what_phase_five_measured()
    {
        var settings = new PipelineSettings { Target = DeploymentTarget.Aws, MaxLifetimeHours = 1, ExpectedPhaseHours = [0.2, 0.25, 0.1, 0.1, 0.1, 2, 0.1] };
        await using var h = await ThroughPhaseAsync(settings, 5);
        var names = new AwsNames(await h.DeploymentIdAsync(), "123456789012", "us-east-2");
        await h.Cloud.Objects(names.AccountBucket, names.ResultsPrefix).WriteAsync("corpus/latest.json", s => s.WriteAsync("{ not json"u8.ToArray()).AsTask(), default);

        var six = await h.Core.RunAsync(6);

        var log = await h.Core.LogTextAsync(six);
        Succeeded(six, log);
        Assert.Contains("Going by Settings' 2 h for this phase: phase 5's run on the instance could not be read from the bucket to forecast it. corpus/latest.json: ", log);
        Assert.Contains("Settings expect this phase to take about 2 h, so the run may be cut off with it.", log);
    }

    [Fact]
    public async Task A_failed_DAG_run_fails_the_phase_naming_the_task()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        ReadyDags(h);
        h.Airflow.TasksOfNewRuns[PipelineDefinition.PreprocessingDag] = [new AirflowTaskInstance("preprocess", "failed", 1, null, null, 2.0)];
        for (var phase = 1; phase <= 3; phase++) Succeeded(await h.Core.RunAsync(phase), "");

        var state = await h.Core.RunAsync(4);

        FailedSaying(state, "failed at task preprocess", "Airflow page");
    }

    [Fact]
    public async Task Teardown_waits_out_dependency_violations_and_deletes_what_only_the_tags_know()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var id = await h.DeploymentIdAsync();
        h.Cloud.TagOnly.Add(new TaggedResource(AwsResourceKinds.Volume, "vol-0left", id.ToString(), "available"));
        h.Cloud.DependencyViolationsPerGroup = 3;

        var plan = (await h.Get<DeallocationPlanner>().PlanAsync(default))!;
        var state = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        Assert.Equal(AwsResourceKinds.Instance, plan.Items[0].Kind);
        Assert.Equal(AwsResourceKinds.Bucket, plan.Items[^1].Kind);
        Assert.Contains(plan.Items, i => i.Locator == "vol-0left" && !i.InLedger && i.FoundByTags);
        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Equal(4, h.Cloud.Calls.Count(c => c.StartsWith("delete group", StringComparison.Ordinal)));
        Assert.Contains("delete volume vol-0left", h.Cloud.Calls);
        Assert.Empty(await h.Cloud.FindTaggedAsync(id, default));
    }

    [Fact]
    public async Task Teardown_that_cannot_finish_says_what_is_left_and_the_next_run_picks_it_up()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var id = await h.DeploymentIdAsync();
        h.Cloud.DependencyViolationsPerGroup = 1_000_000;

        var stuck = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        FailedSaying(stuck, "1 left", AwsResourceKinds.SecurityGroup, "run phase 7 again");

        h.Cloud.ReleaseDependencies();
        var again = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        Succeeded(again, await h.Core.LogTextAsync(again));
        Assert.Empty(await h.Cloud.FindTaggedAsync(id, default));
    }

    [Fact]
    public async Task De_allocating_an_AWS_deployment_needs_its_name_typed_but_the_budget_guard_does_not()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var word = await h.ConfirmationAsync();

        var none = await h.Core.Phases.RequestAsync(new RunRequest(Phase.Deallocation));
        var wrong = await h.Core.Phases.RequestAsync(new RunRequest(Phase.Deallocation, Confirmation: "yes"));
        var guard = await h.Core.Phases.RequestAsync(new RunRequest(Phase.Deallocation, RequestedBy: "Budget guard: $5.01 reached the $5.00 cap."));

        Assert.False(none.Accepted);
        Assert.Contains($"type {word} to confirm", none.Refusal);
        Assert.False(wrong.Accepted);
        Assert.True(guard.Accepted, guard.Refusal);
        await h.Core.Scheduler.WaitAsync(guard.Run!.Id);
    }

    [Fact]
    public async Task A_deployment_stays_on_its_target_and_region_when_Settings_change()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Assert.Empty(await h.Core.Settings.SaveAsync(new PipelineSettings { Target = DeploymentTarget.Local, AwsRegion = "eu-west-1" }));

        var state = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Equal("us-east-2", h.Cloud.Region);
        Assert.Contains("lives on 'aws' in us-east-2", await h.Core.LogTextAsync(state));
        Assert.DoesNotContain(h.Cloud.Instances.Values, i => i.State.State != "terminated");
    }

    [Fact]
    public async Task Reconciliation_records_what_the_tags_show_and_forgets_what_AWS_does_not_have()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var id = await h.DeploymentIdAsync();
        var names = new AwsNames(id, "123456789012", "us-east-2");
        h.Cloud.TagOnly.Add(new TaggedResource(AwsResourceKinds.SpotRequest, "sir-crashed", id.ToString(), "open"));
        h.Cloud.Secrets.Remove(names.AirflowPasswordParameter); // deleted by hand

        var report = await h.Get<AwsReconciler>().ReconcileAsync(default);

        Assert.Equal(new AwsReconciler.Report(1, 1), report);
        var live = await h.Core.Store.GetLiveResourcesAsync(id);
        Assert.Contains(live, r => r.Locator == "sir-crashed");
        Assert.DoesNotContain(live, r => r.Locator == names.AirflowPasswordParameter);
        Assert.Equal(new AwsReconciler.Report(0, 0), await h.Get<AwsReconciler>().ReconcileAsync(default));
    }

    [Fact]
    public async Task An_instance_that_ended_itself_while_the_panel_was_away_is_forgotten_with_the_reason()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        // Launched three days ago with Settings' 8-hour lifetime; the panel comes back only now.
        var launched = await LaunchedDaysAgoAsync(h, days: 3);
        InstanceBecomes(h, launched, i => i with
        {
            State = "terminated", StateReason = "Client.InstanceInitiatedShutdown: Instance initiated shutdown", LaunchedAt = launched.At,
        });

        Assert.Equal(new AwsReconciler.Report(0, 1), await h.Get<AwsReconciler>().ReconcileAsync(default));

        Assert.DoesNotContain(await h.Core.Store.GetLiveResourcesAsync(launched.DeploymentId), r => r.Kind == AwsResourceKinds.Instance);
        await LoggedAsync(h, launched, "is terminated: it shut itself down, as it does at the deployment's maximum lifetime", "its maximum lifetime's deadline");
        // Metered (instance, volume, address) until its deadline and the slack, not for the three days until this look.
        Assert.Equal((launched.At + TimeSpan.FromHours(8) + InstanceEndOfLife.Slack).UtcDateTime, await InstanceEntryEndAsync(h, launched), TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// EC2 lists a terminated instance for about an hour. A panel away longer finds nothing; CloudWatch still holds the
    /// instance's last CPU reading, which bounds when it stopped billing.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_instance_AWS_no_longer_lists_is_metered_until_its_last_CPU_reading_or_else_until_now(bool cloudWatchHasIt)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 3);
        var cpuReportedUntil = launched.At + TimeSpan.FromHours(2);
        if (cloudWatchHasIt) h.Cloud.CpuReportedUntil[InstanceIdOf(h, launched)] = cpuReportedUntil;
        h.Cloud.Instances.Remove(launched.Token);

        Assert.Equal(new AwsReconciler.Report(0, 1), await h.Get<AwsReconciler>().ReconcileAsync(default));

        var expected = cloudWatchHasIt ? cpuReportedUntil + InstanceEndOfLife.Slack : DateTimeOffset.UtcNow;
        Assert.Equal(expected.UtcDateTime, await InstanceEntryEndAsync(h, launched), TimeSpan.FromSeconds(cloudWatchHasIt ? 1 : 30));
        await LoggedAsync(h, launched, "AWS does not list it any more", cloudWatchHasIt ? "its last CPU reading in CloudWatch" : "AWS gives no time");
    }

    [Fact]
    public async Task A_spot_interruption_EC2_gives_no_time_for_is_dated_by_the_instance_s_last_CPU_reading()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 1);
        InstanceBecomes(h, launched, i => i with { State = "terminated", StateReason = "Server.SpotInstanceTermination: Spot instance termination" });
        var cpuReportedUntil = DateTimeOffset.UtcNow.AddMinutes(-50);
        h.Cloud.CpuReportedUntil[InstanceIdOf(h, launched)] = cpuReportedUntil;

        Assert.True(await h.Get<EndedInstanceGuard>().CheckAsync(default));

        Assert.Equal((cpuReportedUntil + InstanceEndOfLife.Slack).UtcDateTime, await InstanceEntryEndAsync(h, launched), TimeSpan.FromSeconds(1));
        await LoggedAsync(h, launched, "a spot interruption", "its last CPU reading");
    }

    [Fact]
    public async Task When_CloudWatch_cannot_be_asked_the_instance_stays_metered_until_a_later_look_can_date_its_end()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 2);
        h.Cloud.CpuReportedUntil[InstanceIdOf(h, launched)] = launched.At + TimeSpan.FromHours(8);
        h.Cloud.Instances.Remove(launched.Token);
        h.Cloud.CpuReadingFailure = FakeAwsCloud.Error("cloudwatch:GetMetricStatistics", "AccessDenied", "not authorized", System.Net.HttpStatusCode.Forbidden);

        Assert.Equal(new AwsReconciler.Report(0, 0), await h.Get<AwsReconciler>().ReconcileAsync(default)); // the rest of it still done
        Assert.Contains(await h.Core.Store.GetLiveResourcesAsync(launched.DeploymentId), r => r.Kind == AwsResourceKinds.Instance);

        h.Cloud.CpuReadingFailure = null;
        Assert.True(await h.Get<EndedInstanceGuard>().CheckAsync(default));
        Assert.Equal((launched.At + TimeSpan.FromHours(8) + InstanceEndOfLife.Slack).UtcDateTime,
            await InstanceEntryEndAsync(h, launched), TimeSpan.FromSeconds(1));
    }

    /// <summary>While the panel runs, its look every 5 minutes stops metering an instance a person (or AWS) ended, from the time EC2 gives.</summary>
    [Fact]
    public async Task While_the_panel_runs_an_instance_someone_terminated_stops_being_metered_from_the_time_EC2_gives()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var launched = await LaunchedDaysAgoAsync(h, days: 1);
        var guard = h.Get<EndedInstanceGuard>();
        Assert.False(await guard.CheckAsync(default)); // running: nothing to do

        var terminatedAt = DateTimeOffset.UtcNow.AddHours(-3);
        InstanceBecomes(h, launched, i => i with
        {
            State = "terminated", StateReason = "Client.UserInitiatedShutdown: User initiated shutdown",
            EndStatedAt = InstanceState.StatedTime($"User initiated ({terminatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} GMT)"),
        });

        Assert.True(await guard.CheckAsync(default));
        Assert.False(await guard.CheckAsync(default)); // once

        Assert.Equal((terminatedAt + InstanceEndOfLife.Slack).UtcDateTime, await InstanceEntryEndAsync(h, launched), TimeSpan.FromSeconds(1));
        await LoggedAsync(h, launched, $"someone ended it through EC2's console or API at {terminatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC", "the time EC2 gives for its end");
        // The meter no longer counts it: nothing of the instance (compute, volume, address) burns any more.
        var costs = await h.Core.Meter.TickAsync();
        var instanceMeters = costs.Resources.Where(r => r.Kind is Core.Costs.MeterKind.Ec2Instance or Core.Costs.MeterKind.EbsVolume or Core.Costs.MeterKind.PublicIpv4).ToList();
        Assert.Equal(3, instanceMeters.Count);
        Assert.All(instanceMeters, r => Assert.Equal(0m, r.BurnRatePerHour));
    }

    [Fact]
    public void EC2s_stated_time_is_read_in_GMT_or_UTC_and_only_there()
    {
        var at = new DateTimeOffset(2026, 12, 3, 10, 4, 5, TimeSpan.Zero);
        Assert.Equal(at, InstanceState.StatedTime("User initiated (2026-12-03 10:04:05 GMT)"));
        Assert.Equal(at, InstanceState.StatedTime("User initiated (2026-12-03 10:04:05 UTC)")); // moto's
        Assert.Equal(at, InstanceState.StatedTime("Server.SpotInstanceTermination: Marked for termination (2026-12-03 10:04:05 GMT)"));
        Assert.Null(InstanceState.StatedTime("Client.InstanceInitiatedShutdown: Instance initiated shutdown"));
        Assert.Null(InstanceState.StatedTime(""));
        Assert.Null(InstanceState.StatedTime(null));

        var launched = InstanceEntry.Description("i-0abc123", "us-east-2b", "t3.large spot, max $0.05/h");
        Assert.Equal(("i-0abc123", "us-east-2b"), (InstanceEntry.InstanceId(launched), InstanceEntry.Zone(launched)));
        var earlierVersion = InstanceEntry.Description("i-0abc123", null, "t3.large spot");
        Assert.Equal(("i-0abc123", null), (InstanceEntry.InstanceId(earlierVersion), InstanceEntry.Zone(earlierVersion)));
        Assert.Null(InstanceEntry.InstanceId("t3.large spot, max $0.05/h")); // recorded before the launch
        Assert.Null(InstanceEntry.Zone("t3.large spot in us-east-2b, max $0.05/h"));
    }

    [Fact]
    public void An_end_whose_slack_has_not_passed_is_metered_until_now_and_says_why()
    {
        var now = DateTimeOffset.UtcNow;
        var ended = new InstanceState("i-1", "terminated", null, null, null, "Client.UserInitiatedShutdown: User initiated shutdown") { EndStatedAt = now.AddMinutes(-2) };

        var (until, evidence) = EndedInstanceGuard.MeteredUntil(ended, cpuReportedUntil: null, runs: [], now);

        Assert.Equal(now, until);
        Assert.Equal("now, as the time EC2 gives for its end and 10 minutes for its shutdown and termination is not past yet", evidence);
    }

    /// <summary>Phase 1's run, and its instance, whose ledger is dated as if launched <see cref="At"/>.</summary>
    private sealed record LaunchedInstance(PhaseState PhaseOne, Guid DeploymentId, string Token, DateTimeOffset At);

    /// <summary>Runs phase 1 and dates the deployment's ledger as if its instance had launched <paramref name="days"/> ago.</summary>
    private static async Task<LaunchedInstance> LaunchedDaysAgoAsync(AwsTargetHarness h, int days)
    {
        var phaseOne = await h.Core.RunAsync(1);
        Succeeded(phaseOne, "");
        var id = await h.DeploymentIdAsync();
        var launched = DateTimeOffset.UtcNow.AddDays(-days);
        await using var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync();
        await db.Resources.Where(r => r.DeploymentId == id).ExecuteUpdateAsync(r => r.SetProperty(x => x.CreatedAt, launched.UtcDateTime.AddSeconds(-5)));
        return new(phaseOne, id, new AwsNames(id, "123456789012", "us-east-2").InstanceClientToken, launched);
    }

    /// <summary>What EC2 says of the instance changes behind the panel's back.</summary>
    private static void InstanceBecomes(AwsTargetHarness h, LaunchedInstance launched, Func<InstanceState, InstanceState> change)
    {
        var (instance, spec) = h.Cloud.Instances[launched.Token];
        h.Cloud.Instances[launched.Token] = (change(instance), spec);
    }

    private static string InstanceIdOf(AwsTargetHarness h, LaunchedInstance launched) => h.Cloud.Instances[launched.Token].State.InstanceId;

    private static async Task<DateTime> InstanceEntryEndAsync(AwsTargetHarness h, LaunchedInstance launched)
    {
        var (deployment, _) = (await h.Core.Store.GetWithRunsAsync(launched.DeploymentId))!.Value;
        return deployment.Resources.Single(r => r.Kind == AwsResourceKinds.Instance).DeletedAt!.Value;
    }

    /// <summary>Phase 1's log says why the instance is no longer metered, and by what it was dated.</summary>
    private static async Task LoggedAsync(AwsTargetHarness h, LaunchedInstance launched, string why, string evidence) =>
        Assert.Contains(await h.Core.Store.GetLogAsync(launched.PhaseOne.LatestRun!.Id), l => l.Step == "instance-ended"
            && l.Message.Contains(why, StringComparison.Ordinal) && l.Message.Contains(evidence, StringComparison.Ordinal));

    /// <summary>Start-up reconciliation and the look every 5 minutes pause through the same guard, and are held to the same account.</summary>
    [Theory]
    [InlineData("start-up reconciliation")]
    [InlineData("the look every 5 minutes")]
    public async Task A_cluster_running_with_no_phase_two_to_use_it_is_paused_once_available(string look)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Func<Task<bool>> pausedByLook = look == "start-up reconciliation"
            ? async () => (await h.Get<AwsReconciler>().ReconcileAsync(default)).PausedCluster
            : () => h.Get<ClusterGuard>().CheckAsync(default);
        Succeeded(await h.Core.RunAsync(1), "");
        Assert.False(await pausedByLook()); // no cluster yet
        var id = await h.DeploymentIdAsync();
        var cluster = new AwsNames(id, "123456789012", "us-east-2").Cluster;

        // Phase 2 at work (its export held): its cluster is left alone.
        h.Cloud.UnloadHold = new TaskCompletionSource();
        var export = await h.Core.Phases.RequestAsync(new RunRequest(2));
        await h.Cloud.UnloadReached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var pausedDuringPhaseTwo = await pausedByLook();
        var callsDuringPhaseTwo = h.Cloud.Calls.ToList(); // read before phase 2 goes on to its own pause
        h.Cloud.UnloadHold.SetResult(); // before asserting: a held phase 2 would keep the harness from ending
        Assert.False(pausedDuringPhaseTwo);
        Assert.DoesNotContain($"pause cluster {cluster}", callsDuringPhaseTwo);
        await h.Core.Scheduler.WaitAsync(export.Run!.Id);
        Succeeded((await h.Core.Store.GetSnapshotAsync())[2], "");

        // As a panel killed inside a phase 2 run again leaves it, or a phase 2 that stopped while the cluster was
        // resuming (or being created): billed per node-hour, no phase 2 running, and not pausable yet.
        await h.Cloud.ResumeClusterAsync(cluster, default);
        await h.Core.Store.RecordResourceAsync(export.Run.Key, AwsResourceKinds.ClusterCompute, cluster, "running");
        Assert.False(await pausedByLook());
        Assert.Equal("available", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);

        // The next look finds it available with no phase 2 to use it: paused, and its nodes no longer metered.
        Assert.True(await pausedByLook());
        Assert.Equal("pausing", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);
        Assert.DoesNotContain(await h.Core.Store.GetLiveResourcesAsync(id), r => r.Kind == AwsResourceKinds.ClusterCompute);
        Assert.Contains(await h.Core.Store.GetLogAsync(export.Run.Id),
            l => l.Step == "idle-cluster" && l.Message.Contains("with no phase 2 to use it") && l.Message.Contains("being created"));
        Assert.False(await pausedByLook());
    }

    /// <summary>
    /// A phase 2 left "running" by an instance that is gone (killed, its container replaced) kept its cluster from being
    /// paused for ever; once that instance has fallen silent its phase is ended, and the cluster is paused.
    /// </summary>
    [Fact]
    public async Task A_cluster_whose_phase_two_ran_on_an_instance_that_fell_silent_is_paused()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var cluster = new AwsNames(await h.DeploymentIdAsync(), "123456789012", "us-east-2").Cluster;
        // Another instance resumed the cluster in a phase 2 and was killed there.
        var other = h.Core.StoreOfInstance("panel-b");
        await other.RecordAliveAsync();
        var orphaned = await h.Core.StartedWithoutAJobAsync(Phase.Warehouse, other);
        await h.Cloud.ResumeClusterAsync(cluster, default);
        await h.Core.Store.RecordResourceAsync(orphaned.Key, AwsResourceKinds.ClusterCompute, cluster, "running");
        var guard = h.Get<ClusterGuard>();
        for (var look = 0; look < 3; look++)
            Assert.False(await guard.CheckAsync(default)); // phase 2 is running: the cluster is its own

        await Task.Delay(10);
        Assert.Single(await h.Core.Store.InterruptRunsOfSilentInstancesAsync(TimeSpan.FromMilliseconds(1)));

        Assert.False(await guard.CheckAsync(default)); // still resuming
        Assert.True(await guard.CheckAsync(default));
        Assert.Equal("pausing", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);
    }

    /// <summary>
    /// Metered until the end of its last CPU reading in CloudWatch (a paused cluster reports none) and the pause's slack,
    /// not for the hours until the panel looked; without a reading, until the look.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cluster_Redshifts_scheduler_paused_while_the_panel_was_away_is_no_longer_metered_as_running(bool cloudWatchHasIt)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var id = await h.DeploymentIdAsync();
        var cluster = new AwsNames(id, "123456789012", "us-east-2").Cluster;
        var phaseTwo = (await h.Core.Store.GetSnapshotAsync())[2].LatestRun!;
        // The panel saw the cluster running (a phase 2 killed after resuming it), then was away while the scheduled pause acted.
        var running = await h.Core.Store.RecordResourceAsync(phaseTwo.Key, AwsResourceKinds.ClusterCompute, cluster, "running");
        await using (var db = await h.Get<IDbContextFactory<Cord19Db>>().CreateDbContextAsync())
            await db.Resources.Where(r => r.DeploymentId == id && r.Kind == AwsResourceKinds.ClusterCompute && r.DeletedAt == null)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.CreatedAt, DateTime.UtcNow.AddHours(-12)));
        var cpuReportedUntil = DateTimeOffset.UtcNow.AddHours(-10); // the scheduled pause acted two hours after the resume
        if (cloudWatchHasIt) h.Cloud.CpuReportedUntil[cluster] = cpuReportedUntil;
        Assert.Equal("paused", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);
        // CloudWatch refusing: still metered, for a later look to date.
        h.Cloud.CpuReadingFailure = FakeAwsCloud.Error("cloudwatch:GetMetricStatistics", "Throttling", "Rate exceeded", System.Net.HttpStatusCode.BadRequest);
        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));
        Assert.Contains(await h.Core.Store.GetLiveResourcesAsync(id), r => r.Kind == AwsResourceKinds.ClusterCompute);
        h.Cloud.CpuReadingFailure = null;
        var callsBefore = h.Cloud.Calls.Count;

        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));

        Assert.DoesNotContain(h.Cloud.Calls.Skip(callsBefore), c => c.StartsWith("pause cluster", StringComparison.Ordinal));
        Assert.DoesNotContain(await h.Core.Store.GetLiveResourcesAsync(id), r => r.Kind == AwsResourceKinds.ClusterCompute);
        var (deployment, _) = (await h.Core.Store.GetWithRunsAsync(id))!.Value;
        var stopped = deployment.Resources.Single(r => r.Id == running.Id).DeletedAt!.Value;
        var expected = cloudWatchHasIt ? cpuReportedUntil + ClusterGuard.PauseSlack : DateTimeOffset.UtcNow;
        Assert.Equal(expected.UtcDateTime, stopped, TimeSpan.FromSeconds(cloudWatchHasIt ? 1 : 30));
        Assert.Contains(await h.Core.Store.GetLogAsync(phaseTwo.Id), l => l.Step == "idle-cluster" && l.Message.Contains("found paused")
            && l.Message.Contains(cloudWatchHasIt ? "its last CPU reading in CloudWatch" : "CloudWatch has no reading", StringComparison.Ordinal));
        // Nothing more to say on the next look.
        var lines = (await h.Core.Store.GetLogAsync(phaseTwo.Id)).Count;
        Assert.False(await h.Get<ClusterGuard>().CheckAsync(default));
        Assert.Equal(lines, (await h.Core.Store.GetLogAsync(phaseTwo.Id)).Count);
    }

    [Fact]
    public async Task Orphans_are_resources_tagged_by_deployments_that_are_no_longer_live()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var gone = Guid.NewGuid().ToString();
        h.Cloud.TagOnly.Add(new TaggedResource(AwsResourceKinds.Volume, "vol-orphan", gone, "available"));

        var orphans = await h.Get<AwsReconciler>().FindOrphansAsync("us-east-2", default);

        Assert.Equal(["vol-orphan"], orphans.Select(o => o.Locator));
    }

    [Fact]
    public async Task Orphans_are_sought_in_every_region_a_deployment_used_and_a_refused_region_hides_no_other()
    {
        // A deployment in eu-west-1; then Settings moves to us-east-2, which the account cannot use.
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, AwsRegion = "eu-west-1" });
        Succeeded(await h.Core.RunAsync(1), "");
        Assert.Empty(await h.Core.Settings.SaveAsync(new PipelineSettings { Target = DeploymentTarget.Aws, AwsRegion = "us-east-2" }));
        h.Cloud.TagOnly.Add(new TaggedResource(AwsResourceKinds.Volume, "vol-west", Guid.NewGuid().ToString(), "available"));
        h.Cloud.RefusedRegions.Add("us-east-2");

        var found = await h.Get<AwsReconciler>().FindOrphansEverywhereAsync("us-east-2", default);

        Assert.Equal(["us-east-2", "eu-west-1"], found.Select(r => r.Region));
        Assert.Contains("Region us-east-2 is not enabled", found[0].Problem);
        Assert.Equal(["vol-west"], found[1].Resources.Select(o => o.Locator));
        Assert.Null(found[1].Problem);
    }

    [Fact]
    public async Task Live_status_has_one_poller_per_deployment_however_many_pages_watch()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var id = await h.DeploymentIdAsync();
        using var monitor = new AwsStatusMonitor(h.Cloud, h.Connector, h.Core.Store, h.Core.Settings, TimeProvider.System, TimeSpan.FromMilliseconds(20));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var first = monitor.WatchAsync(id, stop.Token).GetAsyncEnumerator(stop.Token);
        var second = monitor.WatchAsync(id, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await first.MoveNextAsync());
        Assert.True(await second.MoveNextAsync());

        Assert.Equal(1, monitor.ActivePollers);
        var status = first.Current;
        Assert.Null(status.Problem);
        Assert.Equal(("running", "healthy", 12.5), (status.Instance!.State, status.AirflowHealth, status.InstanceCpuPercent));
        // When it ends itself: its launch plus the 8-hour lifetime of the phase 1 that launched it.
        Assert.NotNull(status.InstanceEndsAt);
        Assert.Equal(status.Instance.LaunchedAt + TimeSpan.FromHours(8), status.InstanceEndsAt);
        await first.DisposeAsync();
        await second.DisposeAsync();
        Assert.Equal(0, monitor.ActivePollers);
    }

    [Fact]
    public async Task The_checklist_says_what_is_wrong_and_creates_the_roles_on_request()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.Lake = null;
        foreach (var zone in h.Cloud.SpotPrices.Keys) h.Cloud.SpotPrices[zone] = 0.5m;
        var checklist = h.Get<AwsChecklist>();
        var settings = await h.Core.Settings.GetAsync();

        var before = await checklist.RunAsync(settings, default);
        await checklist.CreateRolesAsync(settings, default);
        var after = await checklist.RunAsync(settings, default);

        CheckItem Item(IReadOnlyList<CheckItem> items, string name) => items.Single(i => i.Name == name);
        Assert.Equal(CheckOutcome.Passed, Item(before, "Identity").Outcome);
        Assert.Equal(CheckOutcome.Failed, Item(before, "COVID-19 data lake").Outcome);
        Assert.Contains("CloudFormation", Item(before, "COVID-19 data lake").Fix);
        Assert.Equal(CheckOutcome.Failed, Item(before, "Spot price").Outcome);
        Assert.EndsWith("above your max of $0.12/h. No fallback type is sold within it either.", Item(before, "Spot price").Detail);
        Assert.Equal(CheckOutcome.Failed, Item(before, $"IAM role {AwsNames.SpectrumRole}").Outcome);
        Assert.Equal(CheckOutcome.Passed, Item(after, $"IAM role {AwsNames.SpectrumRole}").Outcome);
        Assert.Contains("203.0.113.7/32", Item(after, "Operator address").Detail);
        Assert.Equal(CheckOutcome.Passed, Item(after, InstanceTypeCheck.Name).Outcome);
        Assert.Equal("m5.xlarge: 4 vCPUs, 16 GiB, x86_64.", Item(after, InstanceTypeCheck.Name).Detail);

        // Reading quotas is a permission of its own: without it the check is amber, not red.
        h.Cloud.QuotaFailure = FakeAwsCloud.Error("servicequotas:GetServiceQuota", "AccessDeniedException", "not authorized");
        var unreadable = Item(await checklist.RunAsync(settings, default), "Spot vCPU quota");
        Assert.Equal(CheckOutcome.Warning, unreadable.Outcome);
        Assert.Contains("AccessDeniedException", unreadable.Detail);
        Assert.Contains("Allow servicequotas:GetServiceQuota", unreadable.Fix);
    }

    [Fact]
    public async Task A_refused_AWS_call_puts_its_cause_under_Found_and_its_fix_under_Fix()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.IdentityFailure = FakeAwsCloud.Error("sts:GetCallerIdentity", "ExpiredToken", "The security token included in the request is expired");

        var identity = (await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default))[0];

        Assert.Equal(CheckOutcome.Failed, identity.Outcome);
        Assert.Equal("AWS did not accept the credentials for sts:GetCallerIdentity (ExpiredToken): The security token included in the request is expired.", identity.Detail);
        Assert.Contains("aws sso login", identity.Fix);
    }

    [Fact]
    public async Task Without_credentials_the_checklist_says_how_to_sign_in_and_skips_the_rest()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.IdentityFailure = new AwsConfigurationException("No AWS credentials were found (environment, shared profile, SSO or instance role). Sign in with `aws sso login`.");

        var items = await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default);

        Assert.Equal(CheckOutcome.Failed, items[0].Outcome);
        Assert.Contains("aws sso login", items[0].Detail);
        // The skipped line, then PyPI's, which needs no credentials.
        Assert.Equal(["Identity", "Other checks", AirflowReleaseCheck.Name], items.Select(i => i.Name));
    }

    [Fact]
    public async Task The_Airflow_page_follows_the_live_AWS_deployments_Airflow()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, AirflowVersion = "3.1.0" });
        var client = new DeploymentAirflowClient(h.Core.Store, h.Core.Settings, h.Cloud, h.Connector, h.Get<Cord19.Core.Live.IDeploymentFeed>(), TimeProvider.System, h.Get<AwsTargetOptions>());

        var before = await Assert.ThrowsAsync<AirflowException>(() => client.ListDagsAsync());
        Succeeded(await h.Core.RunAsync(1), "");
        ReadyDags(h);
        var connectionsBefore = h.Connector.Connections.Count;
        // The same client follows the new deployment at once: phase 1's changes reached it through the feed.
        var dags = await client.ListDagsAsync();
        await client.ListRunsAsync(PipelineDagRuns.DagIds[0]);

        Assert.Equal(connectionsBefore + 1, h.Connector.Connections.Count); // looked up once, not per call
        Assert.Equal(AirflowProblem.NotConfigured, before.Problem);
        Assert.Equal(PipelineDagRuns.DagIds, dags.Select(d => d.DagId));
        var connection = h.Connector.Connections[^1];
        Assert.Equal((AirflowApiVersion.V2, "https://198.51.100.7:8080/"), (connection.ApiVersion, connection.BaseUrl.ToString()));
        Assert.Equal(h.Cloud.Secrets.Single(s => s.Key.EndsWith("/airflow-admin-password", StringComparison.Ordinal)).Value.Value, connection.Password);
    }
}
