using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cord19.Core.Aws;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;

namespace Cord19.Tests.Aws;

/// <summary>
/// Every call the hand-signed client makes (IAM, Redshift, Redshift Data, Glue, CloudWatch), checked on the wire
/// against the botocore models: the action or target, each parameter path, type, enum, length and required
/// member, and the SigV4 signature's scope. The answers are built from the models' output shapes and read back.
/// </summary>
public sealed class AwsContractTests
{
    private static AwsCloud Cloud(ScriptedAwsHandler handler, Func<string, string?>? environment = null) => handler.Cloud(environment: environment);

    private static readonly ClusterSpec Cluster = new("cord19-1a2b3c4d", "dc2.large", 1, "cord19", "cord19admin", "Cx9secretSecret1",
        "arn:aws:iam::123456789012:role/cord19/cord19-redshift-spectrum", "sg-0123456789abcdef0",
        ResourceTags.For(Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), 2));

    /// <summary>
    /// GetRole and GetInstanceProfile answer "no such entity" so the create paths run; the statement finishes at once; the
    /// role boundary's version is this build's boundary, URL-encoded as IAM sends it. Everything else is the model's own answer.
    /// </summary>
    private static HttpResponseMessage? Script(AwsWireRequest request) => request.Operation switch
    {
        "GetRole" when request.Form.Any(p => p.Value == "missing-role") => ScriptedAwsHandler.QueryError("NoSuchEntity", "The role with name missing-role cannot be found.", HttpStatusCode.NotFound),
        "GetInstanceProfile" => ScriptedAwsHandler.QueryError("NoSuchEntity", "Instance Profile missing-role cannot be found.", HttpStatusCode.NotFound),
        "GetPolicyVersion" => ScriptedAwsHandler.Xml(System.Xml.Linq.XElement.Parse($"""
            <GetPolicyVersionResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetPolicyVersionResult><PolicyVersion>
            <Document>{Uri.EscapeDataString(RoleBoundary.Json)}</Document><VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion>
            </PolicyVersion></GetPolicyVersionResult></GetPolicyVersionResponse>
            """)),
        "DescribeStatement" => ScriptedAwsHandler.Json(new JsonObject { ["Id"] = "d9b6c0c9", ["Status"] = "FINISHED", ["HasResultSet"] = true }),
        "GetServiceQuota" => ScriptedAwsHandler.Json(new JsonObject { ["Quota"] = new JsonObject { ["Value"] = 32.0 } }),
        "GetCostAndUsage" => ScriptedAwsHandler.Json(new JsonObject { ["ResultsByTime"] = new JsonArray() }),
        "GetProducts" => ScriptedAwsHandler.Json(new JsonObject { ["FormatVersion"] = "aws_v1", ["PriceList"] = new JsonArray(PriceListWireTests.InUseAddress) }),
        "SimulatePrincipalPolicy" => Simulation(request),
        _ => null,
    };

    /// <summary>
    /// IAM's policy simulator, in the model's namespaced shape, two pages a call (IAM may page early, and says so with
    /// IsTruncated and a Marker): iam:PassRole is denied; ec2:TerminateInstances is refused on its instance by the
    /// organization's service control policies; s3:GetObject is denied on the bucket but allowed on its objects, which a
    /// top-level decision of implicitDeny would hide; everything else is allowed.
    /// </summary>
    private static HttpResponseMessage Simulation(AwsWireRequest request)
    {
        var actions = request.Form.Where(p => p.Key.StartsWith("ActionNames.member.", StringComparison.Ordinal)).Select(p => p.Value).ToList();
        var second = request.Form.Any(p => p.Key == "Marker" && p.Value == "page-2");
        var page = second ? actions.Skip(actions.Count / 2) : actions.Take(actions.Count / 2);
        var results = string.Concat(page.Select(action => action switch
        {
            "iam:PassRole" => $"<member><EvalActionName>{action}</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>implicitDeny</EvalDecision></member>",
            "ec2:TerminateInstances" => $"""
                <member><EvalActionName>{action}</EvalActionName><EvalDecision>explicitDeny</EvalDecision>
                <OrganizationsDecisionDetail><AllowedByOrganizations>false</AllowedByOrganizations></OrganizationsDecisionDetail>
                <ResourceSpecificResults><member><EvalResourceName>arn:aws:ec2:us-east-2:123456789012:instance/example</EvalResourceName><EvalResourceDecision>explicitDeny</EvalResourceDecision></member></ResourceSpecificResults></member>
                """,
            "s3:GetObject" => $"""
                <member><EvalActionName>{action}</EvalActionName><EvalDecision>implicitDeny</EvalDecision>
                <ResourceSpecificResults><member><EvalResourceName>arn:aws:s3:::cord19-example</EvalResourceName><EvalResourceDecision>implicitDeny</EvalResourceDecision></member>
                <member><EvalResourceName>arn:aws:s3:::cord19-example/example</EvalResourceName><EvalResourceDecision>allowed</EvalResourceDecision></member></ResourceSpecificResults></member>
                """,
            _ => $"<member><EvalActionName>{action}</EvalActionName><EvalDecision>allowed</EvalDecision></member>",
        }));
        return ScriptedAwsHandler.Xml(System.Xml.Linq.XElement.Parse($"""
            <SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><SimulatePrincipalPolicyResult>
            <IsTruncated>{(second ? "false" : "true")}</IsTruncated>{(second ? "" : "<Marker>page-2</Marker>")}<EvaluationResults>{results}</EvaluationResults>
            </SimulatePrincipalPolicyResult></SimulatePrincipalPolicyResponse>
            """));
    }

    private static readonly IReadOnlyList<PermissionProbe> Probes = OperatorPolicy.Probes("123456789012", "us-east-2");

    private static readonly AwsNames Names = new(Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), "123456789012", "us-east-2");

    private static readonly PauseSchedule Pause = new(Names.ClusterPauseSchedule, Names.Cluster, new DateTimeOffset(2026, 12, 3, 20, 30, 5, TimeSpan.FromHours(1)),
        "arn:aws:iam::123456789012:role/cord19/cord19-redshift-scheduler", "CORD-19 deployment 1a2b3c4d-0000-4000-8000-000000000000: pauses its cluster");

    private static async Task<ScriptedAwsHandler> DriveEveryCallAsync()
    {
        var handler = new ScriptedAwsHandler(Script);
        using var cloud = Cloud(handler);
        await cloud.FindRoleAsync(AwsNames.SpectrumRole, default);
        await cloud.EnsureRoleAsync(AwsRoles.InstanceFor(Names, "us-east-2") with { Name = "missing-role" }, Names.Account, default);
        await cloud.DeleteRoleAsync(Names.InstanceRole, default);
        await cloud.DeniedActionsAsync("arn:aws:iam::123456789012:user/researcher", Probes, default);
        await cloud.PauseClusterAsync(Cluster.Identifier, default);
        await cloud.ResumeClusterAsync(Cluster.Identifier, default);
        await cloud.NodeTypeOrderableAsync("ra3.large", default);
        await cloud.EnsureRoleAsync(AwsRoles.SpectrumIn(Names.Account), Names.Account, default);
        await cloud.RoleBoundaryAsync(Names.Account, default);
        await cloud.CreateClusterAsync(Cluster, default);
        await cloud.CreateClusterAsync(Cluster with { Nodes = 2, NodeType = "ra3.large" }, default);
        await cloud.FindClusterAsync(Cluster.Identifier, default);
        await cloud.DeleteClusterAsync(Cluster.Identifier, default);
        await cloud.ManualSnapshotsAsync(Cluster.Identifier, default);
        await cloud.ManualSnapshotsAsync(null, default);
        await cloud.DeleteSnapshotAsync(Cluster.Identifier, "cord19-1a2b3c4d-final", default);
        await cloud.SchedulePauseAsync(Pause, default);
        await cloud.DeletePauseScheduleAsync(Pause.Name, default);
        await cloud.TaggedClustersAsync(ResourceTags.DeploymentKey, "1a2b3c4d-0000-4000-8000-000000000000", default);
        await cloud.RunSqlAsync(Cluster.Identifier, "cord19", "cord19admin", "select count(*) from covid19_lake.alleninstitute_metadata", default);
        await cloud.FindLakeTableAsync(AwsNames.LakeDatabase, AwsNames.LakeTable, default);
        await cloud.CpuAsync("AWS/EC2", "InstanceId", "i-0123456789abcdef0", default);
        await cloud.CpuReportedUntilAsync("AWS/EC2", "InstanceId", "i-0123456789abcdef0", DateTimeOffset.UtcNow.AddDays(-90), default);
        await cloud.SpotVcpuQuotaAsync(default);
        await cloud.CostAllocationTagAsync(ResourceTags.DeploymentKey, default);
        await cloud.BilledAsync(ResourceTags.DeploymentKey, "1a2b3c4d-0000-4000-8000-000000000000", new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 3), default);
        await cloud.ListedPricesAsync("AmazonVPC", [new("regionCode", "us-east-2"), new("usagetype", "PublicIPv4:InUseAddress", "CONTAINS")], default);
        return handler;
    }

    [Fact]
    public async Task Every_request_keeps_its_botocore_model()
    {
        var handler = await DriveEveryCallAsync();

        var problems = new List<string>();
        foreach (var request in handler.Requests.Where(r => r.Service != "servicequotas"))
        {
            var model = handler.Model(request.Service);
            problems.AddRange(request.Target is { } target
                ? model.CheckJson(target, JsonDocument.Parse(request.Body).RootElement)
                : model.CheckQuery(request.Form));
        }
        Assert.Empty(problems);

        var sent = handler.Requests.Select(r => $"{r.Service}:{r.Operation}").Distinct().Order().ToList();
        Assert.Equal(
        [
            "ce:GetCostAndUsage", "ce:ListCostAllocationTags",
            "cloudwatch:GetMetricStatistics",
            "glue:GetDatabase", "glue:GetTable",
            "iam:AddRoleToInstanceProfile", "iam:CreateInstanceProfile", "iam:CreateRole", "iam:DeleteInstanceProfile", "iam:DeleteRole",
            "iam:DeleteRolePolicy", "iam:GetInstanceProfile", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:ListRolePolicies",
            "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:RemoveRoleFromInstanceProfile", "iam:SimulatePrincipalPolicy",
            "pricing:GetProducts",
            "redshift-data:DescribeStatement", "redshift-data:ExecuteStatement", "redshift-data:GetStatementResult",
            "redshift:CreateCluster", "redshift:CreateScheduledAction", "redshift:DeleteCluster", "redshift:DeleteClusterSnapshot",
            "redshift:DeleteScheduledAction", "redshift:DescribeClusters", "redshift:DescribeClusterSnapshots", "redshift:DescribeOrderableClusterOptions", "redshift:PauseCluster", "redshift:ResumeCluster",
            "servicequotas:GetServiceQuota",
        ], sent);
    }

    /// <summary>How the models' documentation tells a caller to ask again later.</summary>
    private static readonly Regex WaitOutWords = new("try again later|wait and retry|wait \\d+ to \\d+ seconds|wait a few (minutes|moments)|may be retried|too many (calls|requests)",
        RegexOptions.IgnoreCase);

    /// <summary>
    /// A refusal that a request's model says to wait out is retried, whatever its code: the SDKs' lists of throttling codes
    /// miss Cost Explorer's LimitExceededException and Redshift's dependent-service faults, for two.
    /// </summary>
    [Fact]
    public async Task Every_refusal_the_models_say_to_wait_out_is_retried()
    {
        var handler = await DriveEveryCallAsync();

        var waitOut = handler.Requests.Where(r => r.Service != "servicequotas").Select(r => (r.Service, r.Operation)).Distinct()
            .SelectMany(r => handler.Model(r.Service).Errors(r.Operation).Select(e => (r.Service, e.Code, e.Status, e.Documentation)))
            .Where(e => WaitOutWords.IsMatch(e.Documentation)).Distinct().OrderBy(e => $"{e.Service}:{e.Code}", StringComparer.Ordinal).ToList();

        Assert.Equal(["ce:LimitExceededException", "glue:FederationSourceRetryableException", "iam:ConcurrentModification", "pricing:InternalErrorException",
            "pricing:ThrottlingException", "redshift:DependentServiceRequestThrottlingFault", "redshift:DependentServiceUnavailableFault"],
            waitOut.Select(e => $"{e.Service}:{e.Code}"));
        Assert.All(waitOut, e => Assert.True(AwsErrors.IsRetryable(AwsErrors.Classify(e.Code, (HttpStatusCode?)e.Status)), $"{e.Service}:{e.Code} is not retried"));
    }

    [Fact]
    public async Task A_pause_schedule_asks_Redshift_to_pause_the_cluster_once_at_its_time_in_UTC()
    {
        var handler = new ScriptedAwsHandler(Script);
        using var cloud = Cloud(handler);

        await cloud.SchedulePauseAsync(Pause, default);

        var form = Assert.Single(handler.Requests).Form.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("CreateScheduledAction", form["Action"]);
        Assert.Equal("cord19-1a2b3c4d-pause", form["ScheduledActionName"]);
        Assert.Equal("cord19-1a2b3c4d", form["TargetAction.PauseCluster.ClusterIdentifier"]);
        Assert.Equal("at(2026-12-03T19:30:05)", form["Schedule"]);
        Assert.Equal(Pause.RoleArn, form["IamRole"]);
    }

    [Fact]
    public async Task A_pause_schedule_of_that_name_already_there_is_replaced_by_the_new_time()
    {
        var creates = 0;
        var handler = new ScriptedAwsHandler(r => r.Operation == "CreateScheduledAction" && creates++ == 0
            ? ScriptedAwsHandler.QueryError("ScheduledActionAlreadyExists", "Scheduled action cord19-1a2b3c4d-pause already exists.")
            : r.Operation == "DeleteScheduledAction" && creates >= 2
                ? ScriptedAwsHandler.QueryError("ScheduledActionNotFound", "Scheduled action cord19-1a2b3c4d-pause not found.")
                : null);
        using var cloud = Cloud(handler);

        await cloud.SchedulePauseAsync(Pause, default);
        Assert.Equal(["CreateScheduledAction", "DeleteScheduledAction", "CreateScheduledAction"], handler.Requests.Select(r => r.Operation));
        Assert.Equal("at(2026-12-03T19:30:05)", handler.Requests[^1].Form.Single(p => p.Key == "Schedule").Value);

        // Deleting one that is gone (phase 7 run again) is not a failure.
        await cloud.DeletePauseScheduleAsync(Pause.Name, default);
        Assert.Equal("DeleteScheduledAction", handler.Requests[^1].Operation);
    }

    [Fact]
    public async Task Every_request_is_signed_for_its_service_and_region()
    {
        var handler = await DriveEveryCallAsync();

        Assert.All(handler.Requests, request =>
        {
            var (region, service) = request.Service switch
            {
                "iam" => ("us-east-1", "iam"),
                "pricing" => ("us-east-1", "pricing"),
                "ce" => ("us-east-1", "ce"),
                "cloudwatch" => ("us-east-2", "monitoring"),
                var s => ("us-east-2", s),
            };
            var host = request.Service switch
            {
                "iam" => "iam.amazonaws.com",
                "pricing" => "api.pricing.us-east-1.amazonaws.com",
                "ce" => "ce.us-east-1.amazonaws.com",
                _ => $"{service}.us-east-2.amazonaws.com",
            };
            Assert.Equal(host, request.Uri.Host);
            Assert.Equal("https", request.Uri.Scheme);
            var authorization = request.Headers["Authorization"];
            Assert.Matches($@"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{{8}}/{region}/{service}/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{{64}}$", authorization);
            Assert.Contains("x-amz-date", authorization);
            Assert.Matches(@"^\d{8}T\d{6}Z$", request.Headers["X-Amz-Date"]);
            var payloadHash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(request.Body)));
            Assert.Equal(payloadHash, request.Headers["x-amz-content-sha256"]);
        });
    }

    [Fact]
    public async Task The_models_answers_are_read_field_by_field()
    {
        var handler = new ScriptedAwsHandler(Script);
        using var cloud = Cloud(handler);

        var role = await cloud.FindRoleAsync(AwsNames.SpectrumRole, default);
        var cluster = await cloud.FindClusterAsync(Cluster.Identifier, default);
        // The model's answer carries a marker, so a second page is asked for: the same answer, whose marker, given twice, ends the listing.
        var tagged = (await cloud.TaggedClustersAsync(ResourceTags.DeploymentKey, "x", default)).Distinct().Single();
        var table = await cloud.FindLakeTableAsync(AwsNames.LakeDatabase, AwsNames.LakeTable, default);
        var cpu = await cloud.CpuAsync("AWS/Redshift", "ClusterIdentifier", Cluster.Identifier, default);
        var cpuReportedUntil = await cloud.CpuReportedUntilAsync("AWS/EC2", "InstanceId", "i-0123456789abcdef0", DateTimeOffset.UtcNow.AddDays(-90), default);
        var sql = await cloud.RunSqlAsync(Cluster.Identifier, "cord19", "cord19admin", "select 1", default);
        var quota = await cloud.SpotVcpuQuotaAsync(default);
        var orderable = await cloud.NodeTypeOrderableAsync("NodeType", default);
        var allowed = await cloud.DeniedActionsAsync("arn:aws:iam::123456789012:user/researcher", [new(["ec2:RunInstances", "s3:GetObject"], ["arn:aws:s3:::cord19-example"], new Dictionary<string, string>())], default);
        var boundary = await cloud.RoleBoundaryAsync(Names.Account, default);
        var denied = await cloud.DeniedActionsAsync("arn:aws:iam::123456789012:user/researcher", Probes, default);

        // The model's sample writes each string as its member's name: these show the right element was read.
        Assert.True(orderable);
        Assert.Empty(allowed);
        // Denied once, though asked of for three services it is passed to; every page read (a one-action probe answers on its second).
        Assert.Equal([new DeniedAction("ec2:TerminateInstances", "explicitDeny", "arn:aws:ec2:us-east-2:123456789012:instance/example") { ByServiceControlPolicy = true },
            new DeniedAction("iam:PassRole", "implicitDeny")], denied.OrderBy(d => d.Action, StringComparer.Ordinal));
        Assert.Contains(handler.Requests, r => r.Operation == "SimulatePrincipalPolicy" && r.Form.Any(p => p.Key == "Marker" && p.Value == "page-2"));
        Assert.Equal(new IamRole("Arn", "PermissionsBoundaryArn"), role);
        Assert.Equal(new ClusterState("ClusterIdentifier", "ClusterStatus", "Address", 7), cluster);
        Assert.Equal(new TaggedResource(AwsResourceKinds.Cluster, "ClusterIdentifier", null, "ClusterStatus"), tagged);
        Assert.Equal(new LakeTable(AwsNames.LakeDatabase, AwsNames.LakeTable, "Location", 1), table);
        Assert.Equal(12.5, cpu);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 1, 5, 0, TimeSpan.Zero), cpuReportedUntil); // the sample's period start, plus its 5 minutes
        Assert.Equal(new SqlResult(7, "stringValue"), sql);
        Assert.Equal(32, quota);
        // The version asked for is the one GetPolicy named the default.
        Assert.Equal(RoleBoundaryState.Current, boundary);
        Assert.Contains(handler.Requests, r => r.Operation == "GetPolicyVersion" && r.Form.Any(p => p is { Key: "VersionId", Value: "DefaultVersionId" }));
    }

    /// <summary>
    /// A role is created with the account's role boundary; one made before there was a boundary (a shared role of an
    /// earlier version) is given it before its policy is put, which the operator policy allows only on a role that has it;
    /// one that has it is left as it is.
    /// </summary>
    [Theory]
    [InlineData(null, "CreateRole,PutRolePolicy")]
    [InlineData("", "PutRolePermissionsBoundary,PutRolePolicy")]
    [InlineData("arn:aws:iam::123456789012:policy/cord19/cord19-role-boundary", "PutRolePolicy")]
    public async Task A_role_is_created_or_kept_only_with_the_accounts_role_boundary(string? boundaryNow, string changes)
    {
        var handler = new ScriptedAwsHandler(request => request.Operation switch
        {
            "GetRole" when boundaryNow is null => ScriptedAwsHandler.QueryError("NoSuchEntity", "The role with name cord19-redshift-spectrum cannot be found.", HttpStatusCode.NotFound),
            "GetRole" => ScriptedAwsHandler.Xml(System.Xml.Linq.XElement.Parse($"""
                <GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role><Path>/cord19/</Path>
                <RoleName>cord19-redshift-spectrum</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::123456789012:role/cord19/cord19-redshift-spectrum</Arn>
                <CreateDate>2026-11-30T12:00:00Z</CreateDate>
                {(boundaryNow is "" ? "" : $"<PermissionsBoundary><PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType><PermissionsBoundaryArn>{boundaryNow}</PermissionsBoundaryArn></PermissionsBoundary>")}
                </Role></GetRoleResult></GetRoleResponse>
                """)),
            _ => Script(request),
        });
        using var cloud = Cloud(handler);

        await cloud.EnsureRoleAsync(AwsRoles.SpectrumIn("123456789012"), "123456789012", default);

        var boundary = "arn:aws:iam::123456789012:policy/cord19/cord19-role-boundary";
        Assert.Equal(changes.Split(','), handler.Requests.Select(r => r.Operation).Where(o => o is not "GetRole"));
        Assert.All(handler.Requests.Where(r => r.Operation is "CreateRole" or "PutRolePermissionsBoundary"),
            r => Assert.Contains(r.Form, p => p is { Key: "PermissionsBoundary" } && p.Value == boundary));
        Assert.Empty(handler.Requests.SelectMany(r => handler.Model(r.Service).CheckQuery(r.Form)));
    }

    /// <summary>
    /// A boundary someone edited in IAM's console (here: one more action) is told apart from this build's, so the checklist
    /// can say to update it; the answer's read test above has the same one read as current.
    /// </summary>
    [Fact]
    public async Task A_role_boundary_edited_in_IAM_reads_as_differing()
    {
        var edited = RoleBoundary.Json.Replace("\"glue:BatchGetPartition\"", "\"glue:BatchGetPartition\", \"glue:DeleteTable\"", StringComparison.Ordinal);
        Assert.NotEqual(RoleBoundary.Json, edited);
        var handler = new ScriptedAwsHandler(request => request.Operation == "GetPolicyVersion"
            ? ScriptedAwsHandler.Xml(System.Xml.Linq.XElement.Parse($"""
                <GetPolicyVersionResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetPolicyVersionResult><PolicyVersion>
                <Document>{Uri.EscapeDataString(edited)}</Document><VersionId>v3</VersionId><IsDefaultVersion>true</IsDefaultVersion>
                </PolicyVersion></GetPolicyVersionResult></GetPolicyVersionResponse>
                """))
            : Script(request));
        using var cloud = Cloud(handler);

        Assert.Equal(RoleBoundaryState.Differs, await cloud.RoleBoundaryAsync(Names.Account, default));
    }

    /// <summary>
    /// The simulator is asked about each probe's own resources, with the values its conditions test: asked about every
    /// resource ("*", IAM's default), a policy scoped to the project's resources, as the operator policy is, reads as denied.
    /// </summary>
    [Fact]
    public async Task The_simulator_is_asked_about_the_probes_resources_and_condition_values()
    {
        var handler = new ScriptedAwsHandler(Script);
        using var cloud = Cloud(handler);
        var probe = new PermissionProbe(["iam:PassRole"], ["arn:aws:iam::123456789012:role/cord19/cord19-redshift-scheduler"],
            new Dictionary<string, string> { ["iam:PassedToService"] = "scheduler.redshift.amazonaws.com" });

        await cloud.DeniedActionsAsync("arn:aws:iam::123456789012:user/researcher", [probe], default);

        var asked = handler.Requests.First(r => r.Operation == "SimulatePrincipalPolicy").Form;
        Assert.Equal(["arn:aws:iam::123456789012:role/cord19/cord19-redshift-scheduler"], asked.Where(p => p.Key.StartsWith("ResourceArns.member.", StringComparison.Ordinal)).Select(p => p.Value));
        Assert.Equal(["iam:PassedToService", "scheduler.redshift.amazonaws.com", "string"],
            asked.Where(p => p.Key.StartsWith("ContextEntries.member.1.", StringComparison.Ordinal)).Select(p => p.Value));
    }

    /// <summary>
    /// Each role trusts the one service that assumes it, and only the instance's role comes with an instance profile. A
    /// scheduler role that Redshift's scheduler may not assume fails the pause of a cluster the panel left running without
    /// a word; the principal it must trust is the one botocore's Redshift model names.
    /// </summary>
    [Fact]
    public async Task Each_role_is_created_trusting_the_service_that_assumes_it()
    {
        var scheduler = System.Text.RegularExpressions.Regex.Match(
            File.ReadAllText(Path.Combine(BotocoreModel.Folder, "redshift", "service-2.json")), @"\(Principal ([a-z.]+\.amazonaws\.com)\)").Groups[1].Value;
        Assert.Equal("scheduler.redshift.amazonaws.com", scheduler);
        foreach (var (role, service, profile) in new[]
                 {
                     (AwsRoles.InstanceFor(Names, "us-east-2"), "ec2.amazonaws.com", true),
                     (AwsRoles.SpectrumIn(Names.Account), "redshift.amazonaws.com", false),
                     (AwsRoles.Scheduler, scheduler, false),
                 })
        {
            var handler = new ScriptedAwsHandler(request => request.Operation is "GetRole" or "GetInstanceProfile"
                ? ScriptedAwsHandler.QueryError("NoSuchEntity", $"The role with name {role.Name} cannot be found.", HttpStatusCode.NotFound)
                : Script(request));
            using var cloud = Cloud(handler);

            await cloud.EnsureRoleAsync(role, Names.Account, default);

            var created = handler.Requests.Single(r => r.Operation == "CreateRole").Form;
            var trust = JsonNode.Parse(created.Single(p => p.Key == "AssumeRolePolicyDocument").Value)!;
            var statement = Assert.Single(trust["Statement"]!.AsArray())!;
            Assert.Equal(("Allow", service, "sts:AssumeRole"),
                (statement["Effect"]!.GetValue<string>(), statement["Principal"]!["Service"]!.GetValue<string>(), statement["Action"]!.GetValue<string>()));
            Assert.Equal(profile, handler.Requests.Any(r => r.Operation == "CreateInstanceProfile"));
        }
    }

    /// <summary>
    /// Should CloudWatch hold an hour's reading but none of its 5-minute periods, the hour's end is taken: an earlier
    /// time could bill less than AWS.
    /// </summary>
    [Fact]
    public async Task A_reading_found_by_the_hour_alone_counts_until_the_hour_s_end()
    {
        var handler = new ScriptedAwsHandler(request => request.Operation == "GetMetricStatistics" && request.Form.Any(p => p is { Key: "Period", Value: "300" })
            ? ScriptedAwsHandler.Xml(System.Xml.Linq.XElement.Parse(
                """<GetMetricStatisticsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricStatisticsResult><Label>CPUUtilization</Label><Datapoints/></GetMetricStatisticsResult></GetMetricStatisticsResponse>"""))
            : Script(request));
        using var cloud = Cloud(handler);

        var last = await cloud.CpuReportedUntilAsync("AWS/EC2", "InstanceId", "i-0123456789abcdef0", DateTimeOffset.UtcNow.AddDays(-90), default);

        Assert.Equal(new DateTimeOffset(2026, 11, 27, 2, 0, 0, TimeSpan.Zero), last);
    }

    /// <summary>
    /// A cluster resumed outside the panel is metered from its first reading since the pause: the first hour with one,
    /// then that hour's first 5-minute period (CloudWatch stamps each with its period's start), never before the pause.
    /// </summary>
    [Theory]
    [InlineData(true, "2026-11-27T01:25:00Z")]
    [InlineData(false, "2026-11-27T01:00:00Z")]
    public async Task The_first_reading_since_a_moment_is_found_by_the_hour_then_by_five_minutes(bool periodsHaveIt, string expected)
    {
        static HttpResponseMessage Datapoints(params string[] stamps) => ScriptedAwsHandler.Xml(System.Xml.Linq.XElement.Parse(
            "<GetMetricStatisticsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><GetMetricStatisticsResult><Label>CPUUtilization</Label><Datapoints>" +
            string.Concat(stamps.Select(t => $"<member><Timestamp>{t}</Timestamp><Average>4.2</Average><Unit>Percent</Unit></member>")) +
            "</Datapoints></GetMetricStatisticsResult></GetMetricStatisticsResponse>"));
        var handler = new ScriptedAwsHandler(request => request.Form.Any(p => p is { Key: "Period", Value: "300" })
            ? periodsHaveIt ? Datapoints("2026-11-27T01:50:00Z", "2026-11-27T01:25:00Z") : Datapoints()
            : Datapoints("2026-11-27T02:00:00Z", "2026-11-27T01:00:00Z"));
        using var cloud = Cloud(handler);

        var from = await cloud.CpuReportedFromAsync("AWS/Redshift", "ClusterIdentifier", "cord19-x", new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), default);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), from);
        Assert.Equal(["3600", "300"], handler.Requests.Select(r => r.Form.Single(p => p.Key == "Period").Value));
        Assert.Contains(handler.Requests[1].Form, p => p is { Key: "StartTime", Value: "2026-11-27T01:00:00Z" });
        Assert.Empty(handler.Requests.SelectMany(r => handler.Model(r.Service).CheckQuery(r.Form)));
    }

    /// <summary>
    /// Redshift pages its snapshots with a marker; only the panel's clusters' count (others' are the account's own
    /// business), each with its creation and any deployment tag. A listing the operator policy does not allow (one
    /// attached before the panel looked for snapshots) leaves the sweep going without them, and nothing else.
    /// </summary>
    [Fact]
    public async Task Snapshots_are_read_page_by_page_and_a_refused_listing_does_not_stop_the_sweep()
    {
        static string Snapshot(string id, string cluster, string tag = "") => $"""
            <Snapshot><SnapshotIdentifier>{id}</SnapshotIdentifier><ClusterIdentifier>{cluster}</ClusterIdentifier>
            <SnapshotCreateTime>2026-12-05T20:15:00.000Z</SnapshotCreateTime><Status>available</Status><SnapshotType>manual</SnapshotType>
            <Tags>{tag}</Tags></Snapshot>
            """;
        var deployment = "1a2b3c4d-0000-4000-8000-000000000000";
        HttpResponseMessage Page(bool second) => ScriptedAwsHandler.Xml(System.Xml.Linq.XElement.Parse($"""
            <DescribeClusterSnapshotsResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/"><DescribeClusterSnapshotsResult>
            <Snapshots>{(second
                ? Snapshot("tagged", "cord19-1a2b3c4d", $"<Tag><Key>{ResourceTags.DeploymentKey}</Key><Value>{deployment}</Value></Tag>")
                : Snapshot("cord19-final", "cord19-1a2b3c4d") + Snapshot("nightly", "analytics-prod"))}</Snapshots>
            {(second ? "" : "<Marker>page-2</Marker>")}
            </DescribeClusterSnapshotsResult></DescribeClusterSnapshotsResponse>
            """));
        var handler = new ScriptedAwsHandler(request => request.Operation == "DescribeClusterSnapshots"
            ? Page(second: request.Form.Any(p => p is { Key: "Marker", Value: "page-2" }))
            : null);
        using (var cloud = Cloud(handler))
        {
            var found = await cloud.ManualSnapshotsAsync(null, default);

            Assert.Equal(["cord19-1a2b3c4d/cord19-final", "cord19-1a2b3c4d/tagged"], found.Select(s => s.Locator));
            Assert.Equal(new DateTimeOffset(2026, 12, 5, 20, 15, 0, TimeSpan.Zero), found[0].CreatedAt);
            Assert.Equal([null, deployment], found.Select(s => s.DeploymentId));
            Assert.Equal(2, handler.Requests.Count);
            Assert.All(handler.Requests, r => Assert.Contains(r.Form, p => p is { Key: "SnapshotType", Value: "manual" }));
        }

        var refusing = new ScriptedAwsHandler(request => request.Operation == "DescribeClusterSnapshots"
            ? ScriptedAwsHandler.QueryError("AccessDenied", "User is not authorized to perform: redshift:DescribeClusterSnapshots", HttpStatusCode.Forbidden)
            : null);
        using (var cloud = Cloud(refusing))
        {
            Assert.Empty(await cloud.ClusterSnapshotsAsync(Guid.Parse(deployment), default));
            var refused = await Assert.ThrowsAsync<AwsException>(() => cloud.ManualSnapshotsAsync("cord19-1a2b3c4d", default));
            Assert.Equal(AwsErrorKind.Denied, refused.Kind);
        }
    }

    /// <summary>
    /// What phase 7's sweep and the orphan search list beside the snapshots, read to the last page: IAM may answer fewer
    /// roles (or inline policies) than it has and say so, and Redshift pages its clusters. A role left on a later page
    /// was never found as an orphan, and an inline policy there made IAM refuse the role's deletion.
    /// </summary>
    [Fact]
    public async Task Roles_their_policies_and_tagged_clusters_are_read_to_the_last_page()
    {
        var deployment = "1a2b3c4d-0000-4000-8000-000000000000";
        static string Next(AwsWireRequest request, string truncated = "") =>
            request.Form.Any(p => p is { Key: "Marker", Value: "page-2" }) ? "" : $"{truncated}<Marker>page-2</Marker>";
        static bool Second(AwsWireRequest request) => request.Form.Any(p => p is { Key: "Marker", Value: "page-2" });
        var handler = new ScriptedAwsHandler(request => request.Operation switch
        {
            "ListRoles" => ScriptedAwsHandler.Xml(System.Xml.Linq.XElement.Parse($"""
                <ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult><Roles><member>
                <Path>/cord19/{deployment}/</Path><RoleName>{(Second(request) ? "cord19-second" : "cord19-first")}</RoleName>
                </member></Roles>{Next(request, "<IsTruncated>true</IsTruncated>")}</ListRolesResult></ListRolesResponse>
                """)),
            "ListRolePolicies" => ScriptedAwsHandler.Xml(System.Xml.Linq.XElement.Parse($"""
                <ListRolePoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolePoliciesResult><PolicyNames>
                <member>{(Second(request) ? "later" : "first")}</member></PolicyNames>{Next(request, "<IsTruncated>true</IsTruncated>")}
                </ListRolePoliciesResult></ListRolePoliciesResponse>
                """)),
            "DescribeClusters" => ScriptedAwsHandler.Xml(System.Xml.Linq.XElement.Parse($"""
                <DescribeClustersResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/"><DescribeClustersResult><Clusters><Cluster>
                <ClusterIdentifier>{(Second(request) ? "cord19-second" : "cord19-first")}</ClusterIdentifier><ClusterStatus>available</ClusterStatus>
                </Cluster></Clusters>{Next(request)}</DescribeClustersResult></DescribeClustersResponse>
                """)),
            _ => null,
        });
        using var cloud = Cloud(handler);

        var roles = await cloud.DeploymentRolesAsync(null, default);
        var clusters = await cloud.TaggedClustersAsync(ResourceTags.ProjectKey, ResourceTags.ProjectValue, default);
        await cloud.DeleteRoleAsync("cord19-first", default);

        Assert.Equal(["cord19-first", "cord19-second"], roles.Select(r => r.Locator));
        Assert.Equal(["cord19-first", "cord19-second"], clusters.Select(c => c.Locator));
        Assert.Equal(["first", "later"], handler.Requests.Where(r => r.Operation == "DeleteRolePolicy")
            .Select(r => r.Form.Single(p => p.Key == "PolicyName").Value));
        Assert.Empty(handler.Requests.SelectMany(r => handler.Model(r.Service).CheckQuery(r.Form)));
    }

    [Fact]
    public void The_checker_catches_requests_that_break_the_models()
    {
        var redshift = BotocoreModel.Load("redshift");
        var iam = BotocoreModel.Load("iam");
        var glue = BotocoreModel.Load("glue");
        List<KeyValuePair<string, string>> Form(params string[] pairs) => pairs.Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();
        var createCluster = Form("Action=CreateCluster", "Version=2012-12-01", "ClusterIdentifier=c", "NodeType=dc2.large", "MasterUsername=u");

        Assert.Empty(redshift.CheckQuery(createCluster));
        // IAM spells list items "member"; Redshift's Tags list names them "Tag".
        Assert.NotEmpty(redshift.CheckQuery([.. createCluster, new("Tags.member.1.Key", "k")]));
        Assert.NotEmpty(redshift.CheckQuery([.. createCluster, new("Tags.Tag.2.Key", "k")]));
        Assert.NotEmpty(redshift.CheckQuery(createCluster.Where(p => p.Key != "NodeType").ToList()));
        Assert.NotEmpty(redshift.CheckQuery([.. createCluster, new("NumberOfNode", "2")]));
        Assert.NotEmpty(redshift.CheckQuery([.. createCluster, new("NumberOfNodes", "two")]));
        Assert.NotEmpty(redshift.CheckQuery([.. createCluster, new("PubliclyAccessible", "no")]));
        Assert.NotEmpty(redshift.CheckQuery(Form("Action=CreateCluster", "Version=2013-01-01", "ClusterIdentifier=c", "NodeType=n", "MasterUsername=u")));
        Assert.NotEmpty(redshift.CheckQuery(Form("Action=CreateWarehouse", "Version=2012-12-01")));
        Assert.NotEmpty(iam.CheckQuery(Form("Action=CreateRole", "Version=2010-05-08", "RoleName=r")));
        Assert.NotEmpty(iam.CheckQuery(Form("Action=GetRole", "Version=2010-05-08", "RoleName=" + new string('r', 65))));
        Assert.Empty(glue.CheckJson("AWSGlue.GetTable", JsonDocument.Parse("""{"DatabaseName":"covid-19","Name":"t"}""").RootElement));
        Assert.NotEmpty(glue.CheckJson("AWSGlue.GetTable", JsonDocument.Parse("""{"Name":"t"}""").RootElement));
        Assert.NotEmpty(glue.CheckJson("AWSGlue.GetTable", JsonDocument.Parse("""{"DatabaseName":5,"Name":"t"}""").RootElement));
        Assert.NotEmpty(glue.CheckJson("AWSGlue.GetTables", JsonDocument.Parse("""{"DatabaseName":"d","Bogus":1}""").RootElement));
        Assert.NotEmpty(glue.CheckJson("Glue.GetTable", JsonDocument.Parse("""{"DatabaseName":"d","Name":"t"}""").RootElement));
    }

    [Fact]
    public void The_models_are_the_byte_identical_copies_SOURCES_lists()
    {
        var sources = File.ReadAllText(Path.Combine(BotocoreModel.Folder, "SOURCES.md"));
        var files = Directory.GetFiles(BotocoreModel.Folder, "service-2.json", SearchOption.AllDirectories);
        Assert.Equal(7, files.Length);
        foreach (var file in files)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
            Assert.Contains($"{hash}  {Path.GetRelativePath(BotocoreModel.Folder, file)}", sources);
        }
    }
}
