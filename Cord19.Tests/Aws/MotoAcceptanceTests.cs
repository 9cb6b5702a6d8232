using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.S3.Model;
using Amazon.SimpleSystemsManagement.Model;
using Cord19.Core.Aws;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Aws;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using Filter = Amazon.EC2.Model.Filter;

namespace Cord19.Tests.Aws;

/// <summary>
/// The real panel (its own process, as a user starts it) deploying phases 1 and 2 into moto, an independent AWS
/// emulator, then tearing down; the same after killing the panel inside phase 1; and finding the orphans of a
/// deployment whose database was lost. Everything is checked through the AWS SDK (and, for IAM and Redshift, whose SDK
/// packages are not served here, the panel's own signed client). Two stand-ins cover what no emulator can: the
/// instance's Airflow (HTTPS with the deployment's certificate, read from moto's SSM as the instance would) and the
/// Redshift Data API, whose statements moto never finishes. Chromium (a desktop, and a phone in light and dark, with axe)
/// looks at the live deployment's status, its de-allocation dry run and the orphans list: no other test has them on screen.
/// </summary>
[Collection(InProcessHostCollection.Name)]
public sealed class MotoAcceptanceTests : IAsyncLifetime
{
    private const string OperatorCidr = "203.0.113.7/32";
    private readonly TempDirectory _data = new();
    private readonly HttpClient _http = new() { DefaultRequestHeaders = { Authorization = new("Bearer", WebAppFactory.AccessToken) } };
    private InstanceAirflowStandIn _airflow = null!;
    private RedshiftDataStandIn _redshiftData = null!;
    private string _image = "";
    // Started by the first page visit: the image test never opens a page.
    private Support.Browser.LentChromium? _chromium;

    public async Task InitializeAsync()
    {
        if (Moto.Endpoint is null) return;
        await Moto.ResetAsync();
        _airflow = await InstanceAirflowStandIn.StartAsync();
        _redshiftData = await RedshiftDataStandIn.StartAsync();
        await PrepareAccountAsync();
        using var ec2 = Moto.Connect().Ec2();
        _image = await Moto.CanonicalImageAsync(ec2);
    }

    public async Task DisposeAsync()
    {
        if (Moto.Endpoint is null) return;
        await _airflow.DisposeAsync();
        await _redshiftData.DisposeAsync();
        if (_chromium is not null) await _chromium.DisposeAsync();
        _data.Dispose();
    }

    [MotoFact]
    public async Task Phases_one_and_two_then_teardown_leave_nothing_and_a_crash_or_a_lost_database_leaves_nothing_unfound()
    {
        var gaps = new List<string>();

        // 1. A clean deployment of phases 1 and 2, then de-allocation.
        int created, leftAfterTeardown;
        await using (var app = await StartAppAsync(_data.Path))
        {
            var checklist = await _http.GetFromJsonAsync<JsonElement>($"{app.Url}/api/aws/checklist");
            string Outcome(string name) => checklist.EnumerateArray().Single(i => i.GetProperty("name").GetString() == name).GetProperty("outcome").GetString()!;
            Assert.Contains("CORD-19 control panel is running (AWS target, us-east-2).", app.Output); // the banner names the target in force
            Assert.Equal("Passed", Outcome("Identity"));
            Assert.Equal("Passed", Outcome("COVID-19 data lake"));
            // S3's HeadBucket: the lake's region from its answer's header, as phase 2 compares it with the deployment's.
            Assert.EndsWith($", in {Moto.Region} like this deployment.", checklist.EnumerateArray().Single(i => i.GetProperty("name").GetString() == DataLakeCheck.Name).GetProperty("detail").GetString());
            // EC2's DescribeSubnets: moto's default VPC, like AWS's, has a default subnet per zone that assigns public addresses.
            Assert.Equal("Passed", Outcome(PublicAddressCheck.Name));
            // moto has no DescribeVpcBlockPublicAccessOptions (it answers 500): the line is amber, and phase 1 logs that and goes on.
            Assert.Equal("Warning", Outcome(VpcPublicAccessCheck.Name));
            gaps.Add("VPC Block Public Access (moto answers 500: its checklist line is amber, and phase 1 says it could not tell)");
            // IAM's GetPolicy and GetPolicyVersion: the boundary the administrator made is this version's.
            Assert.Equal("Passed", Outcome(RoleBoundary.CheckName));
            // EC2's DescribeInstanceTypes, as moto answers it for the default type.
            Assert.Equal("Passed", Outcome(InstanceTypeCheck.Name));
            Assert.StartsWith("m5.xlarge: 4 vCPUs, 16 GiB, x86_64", checklist.EnumerateArray().Single(i => i.GetProperty("name").GetString() == InstanceTypeCheck.Name).GetProperty("detail").GetString());
            // moto answers DescribeOrderableClusterOptions and SimulatePrincipalPolicy with 500: the lines are amber, not red.
            Assert.Equal("Warning", Outcome("Redshift node type"));
            Assert.Equal("Warning", Outcome("Permissions"));
            // The Spectrum role's access is asked of the same simulator (once the role exists): amber too.
            Assert.Equal("Warning", Outcome(SpectrumAccessCheck.Name));
            gaps.Add("DescribeOrderableClusterOptions and SimulatePrincipalPolicy (moto answers 500: their checklist lines are amber)");
            // moto's Service Quotas knows only VPC quotas, and not GetAWSDefaultServiceQuota: the spot quota cannot be read, so its line is amber (what it
            // counts, EC2's running spot instances, is read from moto in the test of its own below).
            Assert.Equal("Warning", Outcome(SpotQuotaCheck.Name));
            gaps.Add("Service Quotas' EC2 spot vCPU quota (moto has only VPC quotas and no defaults: its checklist line is amber)");
            // No test reaches PyPI (RunningApp points the panel at a port nothing listens on): amber, and phase 1 goes on.
            Assert.Equal("Warning", Outcome(AirflowReleaseCheck.Name));
            gaps.Add("PyPI (the Airflow release's line is amber: not reachable from the tests)");

            // The whole checklist on screen, its longest line red: an account without the role boundary, whose fix is a
            // command with the boundary's ARN-like path (long unbroken text is what has broken the AWS tables before).
            var boundaryArn = RoleBoundary.ArnIn("123456789012");
            await Moto.Connect().Api.QueryAsync(AwsService.Iam, "DeletePolicy", new AwsParameters().Add("PolicyArn", boundaryArn), default);
            NoProblems(await OnEveryScreenAsync(app, "/aws", "aws-checklist", async page =>
            {
                await page.Locator("[data-testid=run-checks]").ClickAsync();
                var line = page.Locator("[data-testid=check-row]").Filter(new() { HasText = RoleBoundary.CheckName });
                await Expect(line).ToHaveAttributeAsync("data-outcome", "Failed", new() { Timeout = 30_000 });
                await Expect(line).ToContainTextAsync("aws iam create-policy --policy-name cord19-role-boundary");
            }));
            await Moto.Connect().Api.QueryAsync(AwsService.Iam, "CreatePolicy", new AwsParameters()
                .Add("PolicyName", RoleBoundary.PolicyName).Add("Path", RoleBoundary.PolicyPath).Add("PolicyDocument", RoleBoundary.Json), default);

            var phaseOne = await RunAsync(app, 1);
            var id = await DeploymentIdAsync(app);
            await CheckPhaseOneAsync(id);
            // The operator moved: phase 1 run again opens Airflow's port to the new address and closes it to the one this
            // panel opened it to (EC2's RevokeSecurityGroupIngress, which matches a rule by its port and range).
            await SetOperatorCidrAsync(app, "198.51.100.20/32");
            await RunAsync(app, 1);
            using (var ec2 = Moto.Connect().Ec2())
            {
                var airflowGroup = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
                {
                    Filters = [new Filter("group-name", [new AwsNames(id, "123456789012", "us-east-2").AirflowSecurityGroup])],
                })).SecurityGroups.Single();
                var rule = Assert.Single(airflowGroup.IpPermissions.SelectMany(p => p.Ipv4Ranges ?? []));
                Assert.Equal("198.51.100.20/32", rule.CidrIp);
                Assert.StartsWith("cord19 operator, panel ", rule.Description);
            }
            Assert.Contains("s3:PutBucketPolicy", await _http.GetStringAsync($"{app.Url}/api/runs/{phaseOne.GetProperty("runId").GetString()}/log"));
            gaps.Add("the bucket's TLS-only policy (moto is plain HTTP, which the policy would refuse, and ignores its condition: phase 1 leaves it out and says so)");
            // Airflow 3 by default (Airflow 2's end of life was 2026-04-22): phase 1 signed in for a JWT.
            Assert.True(_airflow.TokensIssued > 0, "Phase 1 did not sign in to Airflow 3's API server at /auth/token.");
            // An export S3 refuses fails phase 2, which pauses the cluster on its way out (left available, it billed
            // node-hours until phase 7); run again, phase 2 resumes it, exports and pauses it.
            _redshiftData.UnloadFailure = "S3ServiceException:Access Denied,Status 403,Error AccessDenied";
            var refused = await RunAsync(app, 2, expected: "Failed");
            Assert.Contains("Access Denied", refused.GetProperty("reason").GetString());
            Assert.Equal("paused", (await ClusterAsync(id)).Text("ClusterStatus"));
            _redshiftData.UnloadFailure = null;
            var exported = await RunAsync(app, 2);
            await CheckPhaseTwoAsync(id);
            // moto has no Redshift scheduler (CreateScheduledAction answers 500): phase 2 goes on and says so.
            var phaseTwoLog = await _http.GetStringAsync($"{app.Url}/api/runs/{exported.GetProperty("runId").GetString()}/log");
            Assert.Contains("Redshift's scheduler was not given a pause", phaseTwoLog);
            gaps.Add("Redshift's scheduled actions (moto answers 500: phase 2 warns that its cluster has no scheduled pause; the requests are checked against botocore)");
            created = (await InventoryAsync()).Count;
            Assert.True(created >= 10, $"only {created} resources found after phases 1 and 2: {string.Join(", ", await InventoryAsync())}");
            NoProblems(await OnEveryScreenAsync(app, "/aws", "aws-status", async page =>
            {
                await Expect(page.Locator("[data-testid=instance-state]")).ToContainTextAsync("running", new() { Timeout = 30_000 });
                await Expect(page.Locator("[data-testid=cluster-status]")).ToContainTextAsync(new AwsNames(id, "123456789012", "us-east-2").Cluster);
                // From EC2's launch time and the lifetime phase 1 gave the instance.
                await Expect(page.Locator("[data-testid=instance-ends]")).ToContainTextAsync("ends itself about");
            }));
            // A spot interruption (moto's TerminateInstances stands in for AWS taking the capacity back): phase 1 again
            // launches a replacement in the same deployment under a token of its own, and the cluster stays.
            var names = new AwsNames(id, "123456789012", "us-east-2");
            using (var ec2 = Moto.Connect().Ec2())
            {
                var interrupted = (await DeploymentInstancesAsync(ec2, id)).Single();
                await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [interrupted.InstanceId] });
                var replaced = await RunAsync(app, 1);
                Assert.Contains($"This deployment's instance {interrupted.InstanceId} is gone",
                    await _http.GetStringAsync($"{app.Url}/api/runs/{replaced.GetProperty("runId").GetString()}/log"));
                var instances = await DeploymentInstancesAsync(ec2, id);
                var replacement = Assert.Single(instances, i => i.State.Name == Amazon.EC2.InstanceStateName.Running);
                Assert.NotEqual(interrupted.InstanceId, replacement.InstanceId);
                Assert.Equal(names.ReplacementClientToken(interrupted.InstanceId), replacement.ClientToken);
                Assert.Equal("paused", (await ClusterAsync(id)).Text("ClusterStatus"));
            }
            // A snapshot of the cluster taken by hand in the console, which bills until it is deleted: phase 7 finds it
            // by its cluster's name (it need not carry the cluster's tags) and deletes it.
            await Moto.Connect().Api.QueryAsync(AwsService.Redshift, "CreateClusterSnapshot", new AwsParameters()
                .Add("SnapshotIdentifier", "cord19-by-hand").Add("ClusterIdentifier", names.Cluster), default);
            NoProblems(await OnEveryScreenAsync(app, "/", "aws-teardown", async page =>
            {
                await page.Locator("[data-testid=teardown]").ClickAsync();
                await Expect(page.Locator("[data-testid=plan-row]").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
                await Expect(page.Locator("[data-testid=confirm-word]")).ToBeVisibleAsync();
            }));

            var plan = await _http.GetFromJsonAsync<JsonElement>($"{app.Url}/api/deployment/deallocation-plan");
            var word = plan.GetProperty("confirmationWord").GetString()!;
            Assert.Contains(plan.GetProperty("items").EnumerateArray(), item => item.GetProperty("locator").GetString() == $"{names.Cluster}/cord19-by-hand");
            Assert.True(plan.GetProperty("items").GetArrayLength() >= created - 1, plan.ToString());
            Assert.Equal(HttpStatusCode.Conflict, (await _http.PostAsync($"{app.Url}/api/phases/7/run", null)).StatusCode);
            var (liveInstances, groupsInUse) = await InstancesAndGroupsAsync(id);
            await Moto.StartRecordingAsync();
            await RunAsync(app, 7, $"?confirm={word}");
            DeletedInDependencyOrder(await Moto.StopRecordingAsync(), liveInstances, groupsInUse, names.Cluster);
            var left = await InventoryAsync();
            leftAfterTeardown = left.Count;
            Assert.True(left.Count == 0, $"left after teardown: {string.Join(", ", left)}");
            // What AWS billed the ended deployment may be asked on the Costs page, and the region's prices read in Settings:
            // their controls, on every screen (moto has neither Cost Explorer's tags nor the Price List to answer them).
            NoProblems(await OnEveryScreenAsync(app, "/costs", "aws-costs", page =>
                Expect(page.Locator("[data-testid=ask-bill]")).ToBeVisibleAsync(new() { Timeout = 30_000 })));
            NoProblems(await OnEveryScreenAsync(app, "/settings", "aws-settings", page =>
                Expect(page.Locator("[data-testid=read-prices]")).ToBeVisibleAsync(new() { Timeout = 30_000 })));
            // The spot price's note on an AWS deployment once said "the local target has no live spot price history".
            var spotSource = (await _http.GetFromJsonAsync<JsonElement>($"{app.Url}/api/costs/history")).GetProperty("spot").GetProperty("source").GetString();
            Assert.DoesNotContain("local target", spotSource);
        }

        // 2. Killed inside phase 1 (the instance is up, Airflow is being asked), started again on the same data, then phase 7.
        int leftAfterCrash;
        await Moto.ResetAsync();
        await PrepareAccountAsync();
        var crashData = Path.Combine(_data.Path, "crash");
        var crashed = await StartAppAsync(crashData);
        try
        {
            var requestsBefore = _airflow.Requests;
            _airflow.Installing = true;
            await PostAsync(crashed, "/api/phases/1/run");
            await WaitAsync(() => Task.FromResult(_airflow.Requests > requestsBefore), "the instance's Airflow asked for the first time");
            crashed.Kill();
        }
        finally
        {
            await crashed.DisposeAsync();
            _airflow.Installing = false;
        }
        await using (var restarted = await StartAppAsync(crashData, target: "local"))
        {
            // Settings now say local, but the live deployment stays on AWS until phase 7: the banner says both.
            Assert.Contains("stays on the aws target until phase 7", restarted.Output);
            var phases = await _http.GetFromJsonAsync<JsonElement>($"{restarted.Url}/api/phases");
            Assert.Equal("Interrupted", phases[0].GetProperty("status").GetString());
            var word = (await _http.GetFromJsonAsync<JsonElement>($"{restarted.Url}/api/deployment/deallocation-plan")).GetProperty("confirmationWord").GetString();
            await RunAsync(restarted, 7, $"?confirm={word}");
            var left = await InventoryAsync();
            leftAfterCrash = left.Count;
            Assert.True(left.Count == 0, $"left after the crash and teardown: {string.Join(", ", left)}");
        }

        // 3. A deployment whose database is lost: a new panel finds what its tags and role path say.
        await Moto.ResetAsync();
        await PrepareAccountAsync();
        var lostData = Path.Combine(_data.Path, "lost");
        await using (var first = await StartAppAsync(lostData))
            await RunAsync(first, 1);
        var deployed = await InventoryAsync();
        Directory.Delete(lostData, recursive: true);
        int orphansFound;
        await using (var fresh = await StartAppAsync(Path.Combine(_data.Path, "fresh")))
        {
            var orphans = await _http.GetFromJsonAsync<JsonElement>($"{fresh.Url}/api/aws/orphans");
            orphansFound = orphans.GetProperty("resources").GetArrayLength();
            NoProblems(await OnEveryScreenAsync(fresh, "/aws", "aws-orphans", async page =>
            {
                await page.Locator("[data-testid=find-orphans]").ClickAsync();
                await Expect(page.Locator("[data-testid=orphan-row]")).ToHaveCountAsync(orphansFound, new() { Timeout = 30_000 });
            }));
            // The list is the dry run; deleting needs the typed word, then takes them down in phase 7's order.
            Assert.Equal(HttpStatusCode.Conflict, (await _http.PostAsync($"{fresh.Url}/api/aws/orphans/delete", null)).StatusCode);
            var (liveInstances, groupsInUse) = await InstancesAndGroupsAsync(null);
            await Moto.StartRecordingAsync();
            var deletion = await _http.PostAsync($"{fresh.Url}/api/aws/orphans/delete?confirm={AwsReconciler.OrphanConfirmation(Moto.Region)}", null);
            DeletedInDependencyOrder(await Moto.StopRecordingAsync(), liveInstances, groupsInUse, cluster: null);
            var outcome = await deletion.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(deletion.IsSuccessStatusCode, outcome.ToString());
            Assert.Equal(0, outcome.GetProperty("failures").GetArrayLength());
            var left = await InventoryAsync();
            Assert.True(left.Count == 0, $"left after deleting the orphans: {string.Join(", ", left)}");
        }
        await Moto.ResetAsync();

        Figures.Report($"aws acceptance: created={created} left_after_teardown={leftAfterTeardown} left_after_crash={leftAfterCrash} orphans_found={orphansFound}/{deployed.Count}");
        Figures.Report($"aws acceptance: moto gaps covered by stand-ins or amber lines: the instance's Airflow (no emulator runs it), Redshift Data statements (never finish in moto), {string.Join("; ", gaps)}");
        Assert.Equal(deployed.Count, orphansFound);
    }

    /// <summary>The live instances and the security groups of a deployment (of every deployment of the project when null), by their ids.</summary>
    private static async Task<(string[] Instances, string[] Groups)> InstancesAndGroupsAsync(Guid? deployment)
    {
        using var ec2 = Moto.Connect().Ec2();
        var tag = deployment is { } id ? new Filter($"tag:{ResourceTags.DeploymentKey}", [id.ToString()]) : new Filter($"tag:{ResourceTags.ProjectKey}", [ResourceTags.ProjectValue]);
        var instances = ((await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [tag] })).Reservations ?? []).SelectMany(r => r.Instances ?? [])
            .Where(i => i.State.Name != Amazon.EC2.InstanceStateName.Terminated).Select(i => i.InstanceId).ToArray();
        var groups = ((await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [tag] })).SecurityGroups ?? []).Select(g => g.GroupId).ToArray();
        Assert.NotEmpty(instances);
        Assert.NotEmpty(groups);
        return (instances, groups);
    }

    /// <summary>
    /// AWS refuses to delete a security group while an instance or a cluster uses it (DependencyViolation), so the instances
    /// are terminated and the cluster deleted before any group is deleted. moto deletes a group in use all the same: the
    /// order is read from the requests moto answered.
    /// </summary>
    private static void DeletedInDependencyOrder(IReadOnlyList<MotoRequest> requests, string[] instances, string[] groups, string? cluster)
    {
        int[] At(string action, IEnumerable<string> names) =>
            [.. requests.Select((r, i) => (r, i)).Where(x => x.r.Action == action && names.Any(x.r.Body.Contains)).Select(x => x.i)];
        var terminated = At("TerminateInstances", instances);
        var groupsDeleted = At("DeleteSecurityGroup", groups);
        Assert.True(terminated.Length > 0 && groupsDeleted.Length > 0, $"no termination or group deletion among: {string.Join(", ", requests.Select(r => r.Action))}");
        Assert.True(terminated.Max() < groupsDeleted.Min(), $"a security group was deleted before its instance was terminated: {string.Join(", ", requests.Select(r => r.Action))}");
        if (cluster is null) return;
        var clusterDeleted = At("DeleteCluster", [cluster]);
        Assert.True(clusterDeleted.Length > 0 && clusterDeleted.Max() < groupsDeleted.Min(),
            $"a security group was deleted before the cluster: {string.Join(", ", requests.Select(r => r.Action))}");
    }

    private static async Task<List<Amazon.EC2.Model.Instance>> DeploymentInstancesAsync(Amazon.EC2.IAmazonEC2 ec2, Guid deploymentId) =>
        [.. ((await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter($"tag:{ResourceTags.DeploymentKey}", [deploymentId.ToString()])] }))
            .Reservations ?? []).SelectMany(r => r.Instances ?? [])];

    [MotoFact]
    public async Task Without_Canonicals_public_parameter_the_image_is_asked_of_EC2_and_a_miss_is_named()
    {
        // moto has neither Canonical's SSM parameter nor a 24.04 image: the fallback runs, and its miss says what was looked for.
        using var cloud = new AwsCloud(Moto.Connect());
        var error = await Assert.ThrowsAsync<AwsException>(() => cloud.UbuntuImageAsync(default));

        Assert.Equal("ec2:DescribeImages", error.Action);
        Assert.Contains("Canonical's image list has Ubuntu 24.04", error.Message);
    }

    /// <summary>
    /// What EC2 says of a type, from moto's copy of EC2's own instance type data: phase 1 refuses an Arm type or one not
    /// sold as spot, and asks a burstable one for standard credits, by these facts.
    /// </summary>
    [MotoFact]
    public async Task What_EC2_says_of_an_instance_type_is_read_whole_and_a_type_it_does_not_know_is_none()
    {
        using var cloud = new AwsCloud(Moto.Connect());

        var burstable = await cloud.InstanceTypeAsync("t3.micro", default);
        var fixedPerformance = await cloud.InstanceTypeAsync("m5.large", default);
        var arm = await cloud.InstanceTypeAsync("m6g.large", default);

        Assert.Equivalent(new InstanceTypeFacts("t3.micro", 2, 1024, ["x86_64"], Burstable: true, OfferedAsSpot: true), burstable, strict: true);
        Assert.Equivalent(new InstanceTypeFacts("m5.large", 2, 8192, ["x86_64"], Burstable: false, OfferedAsSpot: true), fixedPerformance, strict: true);
        Assert.Equal(["arm64"], arm!.Architectures);
        Assert.Null(await cloud.InstanceTypeAsync("m5.enormous", default));
    }

    /// <summary>
    /// S3's rule for the account's own namespace, as moto implements it: a name must end with the account, the region
    /// and "-an". The deployment's name passes (twice: a phase run again); a global name with the namespace's header is
    /// refused, which shows the header is sent. A global name another account holds is refused too, though that account's
    /// bucket answers GetBucketLocation here (moto enforces no policy; AWS does when the bucket's policy lets others in).
    /// </summary>
    [MotoFact]
    public async Task The_deployments_bucket_is_made_in_the_accounts_own_namespace_and_never_taken_over_from_another_account()
    {
        using var cloud = new AwsCloud(Moto.Connect());
        var names = new AwsNames(Guid.NewGuid(), "123456789012", Moto.Region);
        var tags = ResourceTags.For(names.DeploymentId, 1);
        var global = $"cord19-{ResourceTags.Short(names.DeploymentId)}-123456789012";
        using (var sts = Moto.Connect().Sts())
        {
            var other = (await sts.AssumeRoleAsync(new() { RoleArn = "arn:aws:iam::111111111111:role/elsewhere", RoleSessionName = "another-account" })).Credentials;
            using var theirs = new AwsConnection(Moto.Region, new HttpClient(), name => name == AwsEndpoints.Global ? Moto.Endpoint : null,
                new SessionAWSCredentials(other.AccessKeyId, other.SecretAccessKey, other.SessionToken)).S3();
            await theirs.PutBucketAsync(new PutBucketRequest { BucketName = global, BucketRegion = new Amazon.S3.S3Region(Moto.Region) });
        }

        await cloud.EnsureBucketAsync(names.AccountBucket, names.BucketInAccountNamespace, tags, default);
        await cloud.EnsureBucketAsync(names.AccountBucket, names.BucketInAccountNamespace, tags, default);
        var withoutSuffix = await Assert.ThrowsAsync<AwsException>(() => cloud.EnsureBucketAsync(new AccountBucket(global, names.Account), inAccountNamespace: true, tags, default));
        var taken = await Assert.ThrowsAsync<AwsException>(() => cloud.EnsureBucketAsync(new AccountBucket(global, names.Account), inAccountNamespace: false, tags, default));

        Assert.True(names.BucketInAccountNamespace);
        Assert.True(await cloud.OwnsBucketAsync(names.Bucket, default));
        // The other account's bucket answers GetBucketLocation here, but is not ours: phase 7 neither copies from nor empties it.
        Assert.False(await cloud.OwnsBucketAsync(global, default));
        Assert.Equal("InvalidNamespaceHeader", withoutSuffix.Code);
        Assert.Equal("BucketAlreadyExists", taken.Code);
        await cloud.DeleteBucketAsync(names.AccountBucket, default);
    }

    /// <summary>
    /// What dates an ended instance's meter (EndedInstanceGuard), read from moto's answers: the time in EC2's transition
    /// reason once someone terminates it, and CloudWatch's last CPU reading for it once EC2 no longer lists it.
    /// </summary>
    [MotoFact]
    public async Task When_an_instance_ended_is_read_from_EC2s_transition_reason_and_CloudWatchs_last_reading()
    {
        var deployment = Guid.NewGuid();
        using var ec2 = Moto.Connect().Ec2();
        var launched = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = _image, InstanceType = Amazon.EC2.InstanceType.T3Micro, MinCount = 1, MaxCount = 1,
            TagSpecifications = [new TagSpecification { ResourceType = Amazon.EC2.ResourceType.Instance, Tags = [new Amazon.EC2.Model.Tag(ResourceTags.DeploymentKey, deployment.ToString())] }],
        });
        var id = launched.Reservation.Instances[0].InstanceId;
        var terminating = DateTimeOffset.UtcNow.AddSeconds(-1); // EC2 states whole seconds
        await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [id] });
        using var cloud = new AwsCloud(Moto.Connect());

        var ended = (await cloud.FindInstancesAsync(deployment, default)).Single();

        Assert.Equal("terminated", ended.State);
        Assert.InRange(ended.EndStatedAt ?? default, terminating, DateTimeOffset.UtcNow);
        Assert.Contains($"someone ended it through EC2's console or API at {ended.EndStatedAt:yyyy-MM-dd HH:mm} UTC", ended.EndedBecause);

        // Readings over two hours and more, the last three hours ago, off the hour (the hourly look alone would miss it by
        // 20 minutes); EC2 puts them itself, the test through CloudWatch's API.
        var last = DateTimeOffset.UtcNow.AddHours(-3);
        foreach (var at in new[] { last.AddMinutes(-140), last.AddMinutes(-70), last })
            await Moto.Connect().Api.QueryAsync(AwsService.CloudWatch, "PutMetricData", new AwsParameters()
                .Add("Namespace", "AWS/EC2")
                .Add("MetricData.member.1.MetricName", "CPUUtilization")
                .Add("MetricData.member.1.Value", "7.5")
                .Add("MetricData.member.1.Timestamp", at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture))
                .Add("MetricData.member.1.Dimensions.member.1.Name", "InstanceId")
                .Add("MetricData.member.1.Dimensions.member.1.Value", id), default);

        var found = await cloud.CpuReportedUntilAsync("AWS/EC2", "InstanceId", id, last.AddDays(-1), default);

        // The end of the 5-minute period that holds the last reading.
        Assert.InRange(found ?? default, last, last + TimeSpan.FromMinutes(5));
        Assert.Null(await cloud.CpuReportedUntilAsync("AWS/EC2", "InstanceId", "i-0000000000000000f", last.AddDays(-1), default));
        // And the start of the 5-minute period that holds the first reading since a moment (a cluster resumed after a pause).
        var resumed = last.AddMinutes(-70);
        Assert.InRange(await cloud.CpuReportedFromAsync("AWS/EC2", "InstanceId", id, resumed.AddMinutes(-20), default) ?? default, resumed.AddMinutes(-5), resumed);
    }

    /// <summary>
    /// What the checklist's spot quota line counts, read from moto's answers: the spot instances pending or running in the
    /// region, whoever launched them, each with its type and the panel's deployment tag when it has one.
    /// </summary>
    [MotoFact]
    public async Task The_spot_instances_that_use_the_quota_are_read_from_EC2_spot_and_live_ones_only()
    {
        var deployment = Guid.NewGuid();
        using var ec2 = Moto.Connect().Ec2();
        async Task<string> LaunchAsync(bool spot, Guid? tagged) => (await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = _image, InstanceType = Amazon.EC2.InstanceType.T3Micro, MinCount = 1, MaxCount = 1,
            InstanceMarketOptions = spot ? new InstanceMarketOptionsRequest { MarketType = Amazon.EC2.MarketType.Spot } : null,
            TagSpecifications = tagged is { } id ? [new TagSpecification { ResourceType = Amazon.EC2.ResourceType.Instance, Tags = [new Amazon.EC2.Model.Tag(ResourceTags.DeploymentKey, id.ToString())] }] : null,
        })).Reservation.Instances[0].InstanceId;
        var ours = await LaunchAsync(spot: true, deployment);
        var anothers = await LaunchAsync(spot: true, null);
        await LaunchAsync(spot: false, null);
        await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [await LaunchAsync(spot: true, null)] });
        using var cloud = new AwsCloud(Moto.Connect());

        var running = await cloud.RunningSpotInstancesAsync(default);

        Assert.Equal<RunningSpotInstance>([new(ours, "t3.micro", deployment), new(anothers, "t3.micro", null)],
            [.. running.OrderBy(r => r.InstanceId == ours ? 0 : 1)]);
    }

    private async Task CheckPhaseOneAsync(Guid id)
    {
        var names = new AwsNames(id, "123456789012", "us-east-2");
        var connection = Moto.Connect();
        using var ec2 = connection.Ec2();
        var instance = (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter($"tag:{ResourceTags.DeploymentKey}", [id.ToString()])] }))
            .Reservations.SelectMany(r => r.Instances).Single();
        Assert.Equal("spot", instance.InstanceLifecycle?.Value);
        // moto prices every zone alike: the first zone by name, asked for by name, and launched in its default subnet.
        Assert.Equal("us-east-2a", instance.Placement.AvailabilityZone);
        var subnet = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = [instance.SubnetId] })).Subnets.Single();
        Assert.True(subnet is { AvailabilityZone: "us-east-2a", DefaultForAz: true });
        Assert.Equal("required", instance.MetadataOptions.HttpTokens.Value);
        Assert.EndsWith($"instance-profile{names.RolePath}{names.InstanceRole}", instance.IamInstanceProfile.Arn);
        Assert.Contains(instance.Tags, t => t.Key == ResourceTags.ProjectKey && t.Value == ResourceTags.ProjectValue);

        var groups = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter($"tag:{ResourceTags.DeploymentKey}", [id.ToString()])] })).SecurityGroups;
        var ingress = groups.SelectMany(g => g.IpPermissions ?? []).SelectMany(p => (p.Ipv4Ranges ?? []).Select(r => $"{p.FromPort} {r.CidrIp}")).ToList();
        Assert.Equal([$"8080 {OperatorCidr}"], ingress);
        Assert.DoesNotContain(groups.SelectMany(g => g.IpPermissions ?? []), p => (p.Ipv4Ranges ?? []).Any(r => r.CidrIp == "0.0.0.0/0") || (p.Ipv6Ranges ?? []).Any(r => r.CidrIpv6 == "::/0"));

        using var ssm = connection.Ssm();
        foreach (var parameter in new[] { names.AirflowPasswordParameter, names.AirflowTlsKeyParameter })
            Assert.Equal("SecureString", (await ssm.GetParameterAsync(new GetParameterRequest { Name = parameter })).Parameter.Type.Value);

        using var s3 = connection.S3();
        var block = (await s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = names.Bucket })).PublicAccessBlockConfiguration;
        Assert.True(block.BlockPublicAcls == true && block.BlockPublicPolicy == true && block.IgnorePublicAcls == true && block.RestrictPublicBuckets == true);
        var encryption = await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = names.Bucket });
        Assert.Equal("AES256", encryption.ServerSideEncryptionConfiguration.ServerSideEncryptionRules[0].ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm.Value);
        // moto is reached over plain HTTP, which the TLS-only policy would refuse (moto also ignores its condition and
        // would refuse everything): phase 1 leaves it out and says so.
        // (The SDK hands S3's 404 answer back as the policy's text rather than throwing.)
        var noPolicy = await s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = names.Bucket });
        Assert.True(noPolicy.HttpStatusCode == HttpStatusCode.NotFound || string.IsNullOrEmpty(noPolicy.Policy), noPolicy.Policy);

        var policy = await connection.Api.QueryAsync(AwsService.Iam, "GetRolePolicy", new AwsParameters().Add("RoleName", names.InstanceRole).Add("PolicyName", "cord19-instance-access"), default);
        var document = Uri.UnescapeDataString(policy.Find("PolicyDocument")!.Value);
        Assert.Contains($"parameter/cord19/{ResourceTags.Short(id)}/airflow-tls-key", document);
        Assert.DoesNotContain("redshift-admin-password", document);
        Assert.Contains($"arn:aws:s3:::{names.Bucket}/*", document);
        Assert.DoesNotContain("cord19-*", document);
        var attached = await connection.Api.QueryAsync(AwsService.Iam, "ListAttachedRolePolicies", new AwsParameters().Add("RoleName", names.InstanceRole), default);
        Assert.Empty(attached.Find("AttachedPolicies")?.Elements() ?? []);
        var role = await connection.Api.QueryAsync(AwsService.Iam, "GetRole", new AwsParameters().Add("RoleName", names.InstanceRole), default);
        Assert.Equal(RoleBoundary.ArnIn("123456789012"), role.Find("PermissionsBoundary").Text("PermissionsBoundaryArn"));
    }

    private async Task CheckPhaseTwoAsync(Guid id)
    {
        var names = new AwsNames(id, "123456789012", "us-east-2");
        var connection = Moto.Connect();
        var cluster = await ClusterAsync(id);
        Assert.Equal(("ra3.large", "false", "paused"), (cluster.Text("NodeType"), cluster.Text("PubliclyAccessible"), cluster.Text("ClusterStatus")));
        Assert.Contains(_redshiftData.Sql, s => s.StartsWith($"unload ('select * from covid19_lake.alleninstitute_metadata') to 's3://{names.Bucket}/exports/metadata_'", StringComparison.Ordinal));
        using var s3 = connection.S3();
        var export = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = names.Bucket, Key = names.ExportKey });
        Assert.True(export.ContentLength > 0);
        using var ec2 = connection.Ec2();
        var redshiftGroup = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", [names.RedshiftSecurityGroup])] })).SecurityGroups.Single();
        Assert.Empty(redshiftGroup.IpPermissions ?? []);
        foreach (var shared in AwsRoles.SharedIn("123456789012"))
        {
            var role = await connection.Api.QueryAsync(AwsService.Iam, "GetRole", new AwsParameters().Add("RoleName", shared.Name), default);
            Assert.Equal(RoleBoundary.ArnIn("123456789012"), role.Find("PermissionsBoundary").Text("PermissionsBoundaryArn"));
        }
    }

    /// <summary>Everything of the project in the account, by AWS's own lists (not the panel's sweep); the shared roles excepted.</summary>
    private static async Task<List<string>> InventoryAsync()
    {
        var connection = Moto.Connect();
        var found = new List<string>();
        using (var ec2 = connection.Ec2())
        {
            var project = new Filter($"tag:{ResourceTags.ProjectKey}", [ResourceTags.ProjectValue]);
            found.AddRange((await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [project] })).Reservations?.SelectMany(r => r.Instances)
                .Where(i => i.State.Name.Value != "terminated").Select(i => $"instance {i.InstanceId}") ?? []);
            found.AddRange((await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [project] })).SecurityGroups?.Select(g => $"security group {g.GroupName}") ?? []);
            found.AddRange((await ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [project] })).Volumes?.Where(v => v.State.Value == "available").Select(v => $"volume {v.VolumeId}") ?? []);
        }
        using (var ssm = connection.Ssm())
            found.AddRange((await ssm.DescribeParametersAsync(new DescribeParametersRequest
            {
                ParameterFilters = [new ParameterStringFilter { Key = "Name", Option = "BeginsWith", Values = ["/cord19/"] }],
                MaxResults = 50,
            })).Parameters?.Select(p => $"parameter {p.Name}") ?? []);
        using (var s3 = connection.S3())
            found.AddRange((await s3.ListBucketsAsync()).Buckets?.Where(b => b.BucketName.StartsWith("cord19-", StringComparison.Ordinal)).Select(b => $"bucket {b.BucketName}") ?? []);
        var roles = await connection.Api.QueryAsync(AwsService.Iam, "ListRoles", new AwsParameters().Add("PathPrefix", AwsCloud.RolePath), default);
        found.AddRange((roles.Find("Roles")?.Elements() ?? []).Select(r => r.Text("RoleName")).Where(n => !AwsRoles.SharedIn("123456789012").Any(r => r.Name == n)).Select(n => $"role {n}"));
        // An instance profile goes with its role of the same name; one without its role is a leftover of its own.
        var profiles = await connection.Api.QueryAsync(AwsService.Iam, "ListInstanceProfiles", new AwsParameters().Add("PathPrefix", AwsCloud.RolePath), default);
        found.AddRange((profiles.Find("InstanceProfiles")?.Elements() ?? []).Select(p => p.Text("InstanceProfileName"))
            .Where(p => !found.Contains($"role {p}")).Select(p => $"instance profile {p} (without its role)"));
        var clusters = await connection.Api.QueryAsync(AwsService.Redshift, "DescribeClusters", new AwsParameters(), default);
        found.AddRange((clusters.Find("Clusters")?.Elements() ?? []).Select(c => c.Text("ClusterIdentifier")).Where(c => c?.StartsWith("cord19-", StringComparison.Ordinal) == true).Select(c => $"cluster {c}"));
        var snapshots = await connection.Api.QueryAsync(AwsService.Redshift, "DescribeClusterSnapshots", new AwsParameters().Add("SnapshotType", "manual"), default);
        // moto answers every snapshot it has, Redshift's automated ones (free, and gone with their cluster) included.
        found.AddRange((snapshots.Find("Snapshots")?.Elements() ?? [])
            .Where(s => s.Text("SnapshotType") is null or "manual" && s.Text("ClusterIdentifier")?.StartsWith("cord19-", StringComparison.Ordinal) == true)
            .Select(s => $"snapshot {s.Text("SnapshotIdentifier")}"));
        return found;
    }

    /// <summary>
    /// What the account holds before the panel comes: AWS's data lake, and the role boundary its administrator creates
    /// once (README, Permissions), which every role the panel creates carries.
    /// </summary>
    private static async Task PrepareAccountAsync()
    {
        await CreateDataLakeAsync();
        await Moto.Connect().Api.QueryAsync(AwsService.Iam, "CreatePolicy", new AwsParameters()
            .Add("PolicyName", RoleBoundary.PolicyName).Add("Path", RoleBoundary.PolicyPath).Add("PolicyDocument", RoleBoundary.Json), default);
    }

    /// <summary>AWS's COVID-19 data lake as its CloudFormation template leaves it: a Glue table over a bucket in us-east-2.</summary>
    private static async Task CreateDataLakeAsync()
    {
        var connection = Moto.Connect();
        using var s3 = connection.S3();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "covid19-lake", BucketRegion = new Amazon.S3.S3Region(Moto.Region) });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "covid19-lake", Key = "alleninstitute/CORD19/raw/metadata/csv/metadata.csv", ContentBody = "cord_uid,title,abstract\n" });
        await connection.Api.JsonAsync(AwsService.Glue, "CreateDatabase", new { DatabaseInput = new { Name = AwsNames.LakeDatabase } }, default);
        await connection.Api.JsonAsync(AwsService.Glue, "CreateTable", new
        {
            DatabaseName = AwsNames.LakeDatabase,
            TableInput = new
            {
                Name = AwsNames.LakeTable,
                StorageDescriptor = new
                {
                    Location = "s3://covid19-lake/alleninstitute/CORD19/raw/metadata/csv/",
                    Columns = new[] { new { Name = "cord_uid", Type = "string" }, new { Name = "title", Type = "string" }, new { Name = "abstract", Type = "string" } },
                },
            },
        }, default);
    }

    private async Task<RunningApp> StartAppAsync(string data, string target = "aws")
    {
        Directory.CreateDirectory(data);
        var app = await RunningApp.StartAsync(data, new Dictionary<string, string>
        {
            ["CORD19_TARGET"] = target,
            [AwsEndpoints.Global] = Moto.Endpoint!,
            [$"{AwsEndpoints.Global}_REDSHIFT_DATA"] = _redshiftData.BaseUrl.ToString(),
            ["AWS_ACCESS_KEY_ID"] = "testing",
            ["AWS_SECRET_ACCESS_KEY"] = "testing",
            ["AWS_PROFILE"] = "",
            [AwsTargetOptions.AirflowUrlVariable] = _airflow.BaseUrl.ToString(),
            [AwsTargetOptions.ImageVariable] = _image,
        });
        await SetOperatorCidrAsync(app, OperatorCidr);
        return app;
    }

    private async Task SetOperatorCidrAsync(RunningApp app, string cidr)
    {
        var settings = await _http.GetFromJsonAsync<JsonElement>($"{app.Url}/api/settings");
        var edited = System.Text.Json.Nodes.JsonNode.Parse(settings.GetRawText())!.AsObject();
        edited["operatorCidr"] = cidr;
        var saved = await _http.PutAsJsonAsync($"{app.Url}/api/settings", edited);
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A page brought to a state by <paramref name="reach"/>, on a desktop and on a phone (light then dark): what
    /// <see cref="PageLayout"/> finds wrong with it (long instance ids, addresses and ARNs once made the AWS tables wider
    /// than the screen; a narrow desktop column once broke them at their hyphens), and axe's serious findings.
    /// Screenshots: <paramref name="screenshot"/>.png on the desktop, phone-<paramref name="screenshot"/>[-dark].png.
    /// </summary>
    private async Task<IReadOnlyList<string>> OnEveryScreenAsync(RunningApp app, string path, string screenshot, Func<IPage, Task> reach)
    {
        _chromium ??= await Support.Browser.BorrowAsync();
        var problems = new List<string>();
        (string Name, int Width, int Height, ColorScheme Scheme)[] screens =
        [
            ("desktop", 1400, 900, ColorScheme.Light),
            ("phone", 390, 844, ColorScheme.Light),
            ("phone, dark", 390, 844, ColorScheme.Dark),
        ];
        foreach (var (name, width, height, scheme) in screens)
        {
            await using var context = await _chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, ColorScheme = scheme });
            var page = await context.NewPageAsync();
            await app.OpenAsync(page, path);
            await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await reach(page);
            var file = (width < 600 ? "phone-" : "") + screenshot + (scheme == ColorScheme.Dark ? "-dark" : "") + ".png";
            await page.ScreenshotAsync(new() { Path = Support.Browser.ScreenshotPath(file), FullPage = true });
            problems.AddRange((await PageLayout.ProblemsAsync(page)).Select(problem => $"{name}: {problem}"));
            problems.AddRange((await Axe.SeriousViolationsAsync(page)).Select(violation => $"{name}, axe: {violation}"));
        }
        return problems;
    }

    // Each problem whole: Assert.Empty cuts a collection's items to 50 characters.
    private static void NoProblems(IReadOnlyList<string> problems) => Assert.True(problems.Count == 0, string.Join("\n", problems));

    private async Task PostAsync(RunningApp app, string path)
    {
        var answer = await _http.PostAsync($"{app.Url}{path}", null);
        Assert.True(answer.StatusCode == HttpStatusCode.Accepted, $"{path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    private async Task<JsonElement> RunAsync(RunningApp app, int phase, string query = "", string expected = "Succeeded")
    {
        await PostAsync(app, $"/api/phases/{phase}/run{query}");
        JsonElement state = default;
        await WaitAsync(async () =>
        {
            state = (await _http.GetFromJsonAsync<JsonElement>($"{app.Url}/api/phases"))[phase - 1];
            return state.GetProperty("status").GetString() is not ("Running" or "NotStarted" or "Queued");
        }, $"phase {phase}");
        if (state.GetProperty("status").GetString() != expected)
        {
            var runId = state.GetProperty("runId").GetString();
            var log = await _http.GetStringAsync($"{app.Url}/api/runs/{runId}/log");
            Assert.Fail($"phase {phase} ended {state.GetProperty("status")}, not {expected}: {state.GetProperty("reason")}\n{log}\n{app.Output}");
        }
        return state;
    }

    /// <summary>The deployment's cluster as moto describes it.</summary>
    private static async Task<System.Xml.Linq.XElement> ClusterAsync(Guid id)
    {
        var clusters = await Moto.Connect().Api.QueryAsync(AwsService.Redshift, "DescribeClusters",
            new AwsParameters().Add("ClusterIdentifier", new AwsNames(id, "123456789012", "us-east-2").Cluster), default);
        return clusters.Find("Clusters")!.Elements().Single();
    }

    private async Task<Guid> DeploymentIdAsync(RunningApp app) =>
        (await _http.GetFromJsonAsync<JsonElement>($"{app.Url}/api/deployment")).GetProperty("deployment").GetProperty("id").GetGuid();

    private static async Task WaitAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not happen within 3 minutes");
            await Task.Delay(250);
        }
    }
}
