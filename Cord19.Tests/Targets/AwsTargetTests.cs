using Cord19.Core.Airflow;
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

    /// <summary>The checklist's line of that name.</summary>
    internal static CheckItem Item(IReadOnlyList<CheckItem> items, string name) => items.Single(i => i.Name == name);

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
        var names = await h.NamesAsync();
        var id = names.DeploymentId;
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
    [InlineData("VcpuLimitExceeded", "A quota of your account refused ec2:RunInstances", "Spot Instance Requests")]
    [InlineData("SpotMaxPriceTooLow", "The spot price is above your max price for ec2:RunInstances", "Raise the spot max price in Settings")]
    [InlineData("AuthFailure.ServiceLinkedRoleCreationNotPermitted", "AWS denied ec2:RunInstances", "aws iam create-service-linked-role --aws-service-name spot.amazonaws.com")]
    [InlineData("PendingVerification", "AWS refused ec2:RunInstances (PendingVerification)", "AWS is still verifying this account for this region")]
    [InlineData("OptInRequired", "AWS refused ec2:RunInstances (OptInRequired)", "a new account is activated once its payment details are verified")]
    [InlineData("Blocked", "AWS refused ec2:RunInstances (Blocked)", "contact AWS Support")]
    [InlineData("AuthFailure", "AWS did not accept the credentials for ec2:RunInstances (AuthFailure)", "EC2 is refusing the account, not the keys")]
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
    public async Task A_phase_two_that_fails_once_the_cluster_is_up_pauses_it_and_the_next_run_resumes_it()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var cluster = (await h.NamesAsync()).Cluster;
        h.Cloud.SqlFailure = sql => sql.StartsWith("unload", StringComparison.Ordinal)
            ? FakeAwsCloud.Error("redshift-data:ExecuteStatement", AwsCloud.StatementFailed, "S3ServiceException:Access Denied,Status 403,Error AccessDenied")
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

    /// <summary>A failed phase 2 whose cluster cannot be paused either leaves it billing: the log says so, and the meter goes on counting its nodes.</summary>
    [Fact]
    public async Task A_failed_phase_two_whose_cluster_cannot_be_paused_says_it_bills_and_keeps_metering_its_nodes()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.SqlFailure = sql => sql.StartsWith("unload", StringComparison.Ordinal)
            ? FakeAwsCloud.Error("redshift-data:ExecuteStatement", AwsCloud.StatementFailed, "S3ServiceException:Access Denied,Status 403,Error AccessDenied")
            : null;
        h.Cloud.PauseClusterFailure = FakeAwsCloud.Error("redshift:PauseCluster", "AccessDenied", "User is not authorized to perform: redshift:PauseCluster");

        var failed = await h.Core.RunAsync(2);

        var cluster = (await h.NamesAsync()).Cluster;
        Assert.Equal(PhaseStatus.Failed, failed.Status);
        var log = await h.Core.LogTextAsync(failed);
        Assert.Contains($"Phase 2 stopped before its end and cluster {cluster} could not be paused (", log);
        Assert.Contains("redshift:PauseCluster", log);
        Assert.Contains("it bills node-hours until phase 7 deletes it. Run phase 7, or pause the cluster in the Redshift console.", log);
        Assert.Contains(await h.Core.Store.GetLiveResourcesAsync(await h.DeploymentIdAsync()), r => r.Kind == AwsResourceKinds.ClusterCompute);
    }

    /// <summary>
    /// A phase 2 that stops while its cluster is still being created cannot pause it (Redshift pauses an available
    /// cluster only): it says so, the nodes stay metered, and the cluster guard pauses it once it is available.
    /// </summary>
    [Fact]
    public async Task A_phase_two_that_stops_while_its_cluster_is_created_says_it_bills_until_the_guard_pauses_it()
    {
        await using var h = await AwsTargetHarness.StartAsync(clusterLimit: TimeSpan.FromMilliseconds(200));
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.ClusterCreatingLooks = int.MaxValue;

        var failed = await h.Core.RunAsync(2);

        var cluster = (await h.NamesAsync()).Cluster;
        FailedSaying(failed, $"Gave up waiting for cluster {cluster} available");
        Assert.Contains($"Phase 2 stopped before its end while cluster {cluster} is creating, which cannot be paused yet. It bills node-hours until the panel pauses it",
            await h.Core.LogTextAsync(failed));
        Assert.DoesNotContain($"pause cluster {cluster}", h.Cloud.Calls);
        Assert.Contains(await h.Core.Store.GetLiveResourcesAsync(await h.DeploymentIdAsync()), r => r.Kind == AwsResourceKinds.ClusterCompute);

        h.Cloud.ClusterCreatingLooks = 0;
        Assert.True(await h.Get<ClusterGuard>().CheckAsync(default));
        Assert.Contains($"pause cluster {cluster}", h.Cloud.Calls);
    }

    /// <summary>An empty lake (AWS's table there, its files not) would export a header only, and phase 4 would find no papers.</summary>
    [Fact]
    public async Task An_empty_data_lake_fails_phase_two_with_the_fix_before_the_export_and_pauses_the_cluster()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.LakeRows = 0;

        var state = await h.Core.RunAsync(2);

        var names = await h.NamesAsync();
        FailedSaying(state, $"The data lake's table {AwsNames.ExternalSchema}.{AwsNames.LakeTable} is empty (count: 0)", "Choose 'the panel's metadata file' as the AWS metadata source in Settings");
        Assert.DoesNotContain(h.Cloud.Sql, sql => sql.StartsWith("unload", StringComparison.Ordinal));
        Assert.Equal("pausing", (await h.Cloud.FindClusterAsync(names.Cluster, default))!.Status);
    }

    /// <summary>Once the export is in the bucket, phase 2 has nothing to do: resuming the cluster would bill its nodes, and scanning the lake again Spectrum's bytes.</summary>
    [Fact]
    public async Task Phase_two_run_again_after_its_export_resumes_no_cluster_and_scans_nothing()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var (statements, calls) = (h.Cloud.Sql.Count, h.Cloud.Calls.Count);

        var again = await h.Core.RunAsync(2);

        var names = await h.NamesAsync();
        Succeeded(again, await h.Core.LogTextAsync(again));
        Assert.Contains($"The export s3://{names.Bucket}/{names.ExportKey} is there already.", await h.Core.LogTextAsync(again));
        Assert.Equal(statements, h.Cloud.Sql.Count);
        Assert.DoesNotContain(h.Cloud.Calls.Skip(calls), call => call.StartsWith("resume cluster", StringComparison.Ordinal));
        Assert.Equal("paused", (await h.Cloud.FindClusterAsync(names.Cluster, default))!.Status);
        Assert.Single((await h.Core.Store.GetWithRunsAsync())!.Value.Deployment.Resources, r => r.Kind == AwsResourceKinds.SpectrumScan);
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
        var cluster = (await h.NamesAsync()).Cluster;
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
        var names = await h.NamesAsync();
        var id = names.DeploymentId;

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
        Assert.Contains($"Results kept: 0 more files copied from s3://{names.Bucket}", log); // phases 5 and 6 brought both runs home
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
    public async Task A_failed_DAG_run_fails_the_phase_naming_the_task()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        ReadyDags(h);
        h.Airflow.TasksOfNewRuns[PipelineDefinition.PreprocessingDag] = [new AirflowTaskInstance("preprocess", "failed", 1, null, null, 2.0)];
        for (var phase = 1; phase <= 3; phase++) Succeeded(await h.Core.RunAsync(phase), "");

        var state = await h.Core.RunAsync(4);

        FailedSaying(state, "failed at task preprocess", "Airflow page");
    }

    /// <summary>Asked to delete the results too, phase 7 brings nothing home and deletes the copies here; the bucket's go with it.</summary>
    [Fact]
    public async Task Teardown_asked_to_delete_the_results_leaves_none_here_or_in_the_bucket()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var names = await h.NamesAsync();
        await h.Core.Results.PublishRunAsync(SyntheticRun.Create("manual__0", 40), default); // brought home by its phase
        await new ResultStore(h.Cloud.Objects(names.AccountBucket, names.ResultsPrefix)).PublishRunAsync(SyntheticRun.Create("manual__1", 60), default);

        var teardown = await h.Core.RunAsync(7, deleteResults: true, confirmation: await h.ConfirmationAsync());

        var log = await h.Core.LogTextAsync(teardown);
        Succeeded(teardown, log);
        Assert.Contains("Results deleted, as asked", log);
        Assert.Empty((await h.Core.Results.ListRunsAsync(default)).Runs);
        Assert.False(h.Cloud.Buckets.ContainsKey(names.Bucket));
    }

    /// <summary>
    /// Every deletion went through, yet the sweep still finds one of the deployment's resources (made meanwhile, or a
    /// listing that lags): phase 7 fails on it rather than end the deployment with it alive.
    /// </summary>
    [Fact]
    public async Task Teardown_fails_on_what_the_sweep_still_finds_though_every_deletion_went_through()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var id = await h.DeploymentIdAsync();
        h.Cloud.TagOnly.Add(new TaggedResource(AwsResourceKinds.Parameter, "/cord19/late/parameter", id.ToString(), "String"));

        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        FailedSaying(teardown, "1 left", "/cord19/late/parameter", "run phase 7 again");
        Assert.DoesNotContain("Failures:", teardown.LatestRun!.Reason);
        Assert.Null((await h.Core.Store.GetSnapshotAsync()).Deployment!.EndedAt);
    }

    [Fact]
    public async Task Teardown_waits_out_dependency_violations_and_deletes_what_only_the_tags_know()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var id = await h.DeploymentIdAsync();
        h.Cloud.TagOnly.Add(new TaggedResource(AwsResourceKinds.Volume, "vol-0left", id.ToString(), "available"));
        h.Cloud.TagOnly.Add(new TaggedResource(AwsResourceKinds.SpotRequest, "sir-0left", id.ToString(), "open"));
        h.Cloud.DependencyViolationsPerGroup = 3;

        var plan = (await h.Get<DeallocationPlanner>().PlanAsync(default))!;
        var tagged = await h.Cloud.FindTaggedAsync(id, default);
        var state = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        Assert.Equal((DeploymentTarget.Aws, "us-east-2"), (plan.Target, plan.Region));
        Assert.Equal(AwsResourceKinds.Instance, plan.Items[0].Kind);
        Assert.Equal(AwsResourceKinds.Bucket, plan.Items[^1].Kind);
        Assert.Contains(plan.Items, i => i.Locator == "vol-0left" && !i.InLedger && i.FoundByTags);
        // The rest the ledger and the tags both know, with the state AWS gives now.
        Assert.All(plan.Items.Where(i => i.Locator is not ("vol-0left" or "sir-0left")), i => Assert.True(i.InLedger && i.FoundByTags, $"{i.Kind} {i.Locator}"));
        Assert.All(plan.Items, i => Assert.Equal(tagged.Single(t => t.Kind == i.Kind && t.Locator == i.Locator).State, i.State));
        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Equal(4, h.Cloud.Calls.Count(c => c.StartsWith("delete group", StringComparison.Ordinal)));
        Assert.Contains("delete volume vol-0left", h.Cloud.Calls);
        Assert.Contains("cancel spot sir-0left", h.Cloud.Calls);
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

    /// <summary>The shipped price book is us-east-2's: a deployment elsewhere is told which of its figures are that region's rates.</summary>
    [Theory]
    [InlineData("us-east-2", false)]
    [InlineData("eu-west-1", true)]
    public async Task A_deployment_outside_the_price_books_region_is_told_its_figures_are_that_regions_rates(string region, bool warned)
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, AwsRegion = region });
        Succeeded(await h.Core.RunAsync(1), "");

        var warnings = (await h.MetersInAnHourAsync()).Warnings;

        Assert.Equal(warned, warnings.Any(w => w.StartsWith($"The price book holds us-east-2's prices, and this deployment runs in {region}", StringComparison.Ordinal)));
    }

    /// <summary>Settings changed since phase 1 (another region, or the local target) apply from the next deployment, and the log says so.</summary>
    [Theory]
    [InlineData(DeploymentTarget.Local, "eu-west-1", true)]
    [InlineData(DeploymentTarget.Aws, "eu-west-1", true)]
    [InlineData(DeploymentTarget.Aws, "us-east-2", false)]
    public async Task A_deployment_stays_on_its_target_and_region_when_Settings_change(DeploymentTarget target, string region, bool told)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Assert.Empty(await h.Core.Settings.SaveAsync(new PipelineSettings { Target = target, AwsRegion = region }));

        var state = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Equal("us-east-2", h.Cloud.Region);
        Assert.Equal(told, (await h.Core.LogTextAsync(state)).Contains("This deployment lives on 'aws' in us-east-2; Settings now say otherwise", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Cloud.Instances.Values, i => i.State.State != "terminated");
    }

    [Fact]
    public async Task Reconciliation_records_what_the_tags_show_and_forgets_what_AWS_does_not_have()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var names = await h.NamesAsync();
        var id = names.DeploymentId;
        h.Cloud.TagOnly.Add(new TaggedResource(AwsResourceKinds.SpotRequest, "sir-crashed", id.ToString(), "open"));
        // A second group, made before a crash let its record be written: the ledger's group of that kind is another.
        h.Cloud.TagOnly.Add(new TaggedResource(AwsResourceKinds.SecurityGroup, $"{names.AirflowSecurityGroup}-2", id.ToString(), "sg-0second"));
        h.Cloud.Secrets.Remove(names.AirflowPasswordParameter); // deleted by hand

        var report = await h.Get<AwsReconciler>().ReconcileAsync(default);

        Assert.Equal(new AwsReconciler.Report(2, 1), report);
        var live = await h.Core.Store.GetLiveResourcesAsync(id);
        Assert.Contains(live, r => r.Locator == "sir-crashed");
        Assert.Contains(live, r => r.Locator == $"{names.AirflowSecurityGroup}-2");
        Assert.DoesNotContain(live, r => r.Locator == names.AirflowPasswordParameter);
        // Phase 1's log, the latest run's, says what changed and why.
        var log = await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[1]);
        Assert.Contains($"Recorded {AwsResourceKinds.SpotRequest} sir-crashed: AWS has it (tagged for this deployment) but the ledger did not.", log);
        Assert.Contains($"Marked {AwsResourceKinds.Parameter} {names.AirflowPasswordParameter} deleted: AWS does not have it.", log);
        Assert.Equal(new AwsReconciler.Report(0, 0), await h.Get<AwsReconciler>().ReconcileAsync(default));
    }

    /// <summary>
    /// A resource AWS still has but whose tag went (tagging failed, or a person removed it) stays in the ledger, metered
    /// and in phase 7's plan: only one AWS does not have is forgotten.
    /// </summary>
    [Fact]
    public async Task Reconciliation_keeps_what_AWS_still_has_without_its_tag()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var names = await h.NamesAsync();
        var id = names.DeploymentId;
        var (groupId, _, ingress) = h.Cloud.Groups[names.AirflowSecurityGroup];
        h.Cloud.Groups[names.AirflowSecurityGroup] = (groupId, new Dictionary<string, string>(), ingress);
        var role = Assert.Single(await h.Core.Store.GetLiveResourcesAsync(id), r => r.Kind == AwsResourceKinds.Role).Locator;
        Assert.True(h.Cloud.RoleSpecs.Remove(role)); // its path named the deployment
        Assert.DoesNotContain(await h.Cloud.FindTaggedAsync(id, default), t => t.Locator == names.AirflowSecurityGroup || t.Locator == role);

        Assert.Equal(new AwsReconciler.Report(0, 0), await h.Get<AwsReconciler>().ReconcileAsync(default));

        var live = await h.Core.Store.GetLiveResourcesAsync(id);
        Assert.Contains(live, r => r.Locator == names.AirflowSecurityGroup);
        Assert.Contains(live, r => r.Locator == role);
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

    /// <summary>What the AWS page's status shows beyond the happy path: which part of Airflow is unhealthy, the cluster's CPU while it runs, an ended instance with no end time, and an AWS that fails a look.</summary>
    [Fact]
    public async Task Live_status_names_what_is_unhealthy_and_keeps_what_it_saw_when_AWS_fails_a_look()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var names = await h.NamesAsync();
        var cluster = h.Cloud.Clusters[names.Cluster];
        h.Cloud.Clusters[names.Cluster] = (cluster.State with { Status = "available" }, cluster.Spec, cluster.Looks);
        h.Airflow.Health = new("healthy", "unhealthy", "healthy", null);
        using var monitor = new AwsStatusMonitor(h.Cloud, h.Connector, h.Core.Store, h.Core.Settings, TimeProvider.System, TimeSpan.FromMilliseconds(20));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var statuses = monitor.WatchAsync(names.DeploymentId, stop.Token).GetAsyncEnumerator(stop.Token);

        Assert.True(await statuses.MoveNextAsync());
        var seen = statuses.Current;
        Assert.Equal(("scheduler unhealthy, database healthy", 12.5), (seen.AirflowHealth, seen.ClusterCpuPercent));

        h.Cloud.NextLookFailure = FakeAwsCloud.Error("ec2:DescribeInstances", "RequestLimitExceeded", "Request limit exceeded.");
        while (await statuses.MoveNextAsync() && statuses.Current.Problem is null) { }
        var failed = statuses.Current;
        Assert.Contains("ec2:DescribeInstances", failed.Problem);
        Assert.Equal((names.Region, seen.Instance, seen.AirflowHealth, seen.ClusterCpuPercent), (failed.Region, failed.Instance, failed.AirflowHealth, failed.ClusterCpuPercent));

        var (instance, spec) = h.Cloud.Instances[names.InstanceClientToken];
        h.Cloud.Instances[names.InstanceClientToken] = (instance with { State = "terminated", PublicIp = null }, spec);
        while (await statuses.MoveNextAsync() && statuses.Current.Instance?.State != "terminated") { }
        Assert.Equal((null, null, null), (statuses.Current.InstanceEndsAt, statuses.Current.AirflowHealth, statuses.Current.InstanceCpuPercent));
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
