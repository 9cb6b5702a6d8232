using System.Net;
using System.Text;
using Amazon.Runtime;
using Cord19.Core.Aws;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Airflow;
using Cord19.Tests.Support.Aws;
using Microsoft.AspNetCore.Http;

namespace Cord19.Tests.Aws;

/// <summary>How the AWS clients behave when AWS misbehaves, and where they send their requests.</summary>
public sealed class AwsApiClientTests
{
    private static readonly BasicAWSCredentials TestKeys = ScriptedAwsHandler.TestKeys;
    private static readonly AwsRetryPolicy Quick = new(4, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(300));

    private static AwsApiClient Client(HttpMessageHandler handler, Func<string, string?>? environment = null, AwsRetryPolicy? retry = null)
    {
        var connection = new AwsConnection("us-east-2", new HttpClient(handler), environment ?? (_ => null), TestKeys);
        return new AwsApiClient(new HttpClient(handler), connection, retry ?? Quick);
    }

    private static Task<System.Xml.Linq.XElement> GetRoleAsync(AwsApiClient client) =>
        client.QueryAsync(AwsService.Iam, "GetRole", new AwsParameters().Add("RoleName", "cord19-airflow-instance"), default);

    [Fact]
    public async Task Throttling_and_5xx_are_retried_then_the_answer_is_read()
    {
        var answers = new Queue<HttpResponseMessage>(
        [
            ScriptedAwsHandler.QueryError("Throttling", "Rate exceeded"),
            ScriptedAwsHandler.QueryError("ServiceUnavailable", "Service is unavailable", HttpStatusCode.ServiceUnavailable),
        ]);
        var handler = new ScriptedAwsHandler(r => answers.Count > 0 ? answers.Dequeue() : null);

        var answer = await GetRoleAsync(Client(handler));

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal("Arn", answer.Find("Role").Text("Arn"));
    }

    /// <summary>
    /// IAM may answer a short page and say more follow (IsTruncated, Marker); Redshift gives a Marker alone. Each page's
    /// request is made afresh, with the marker; a marker given twice ends the listing rather than loop.
    /// </summary>
    [Theory]
    [InlineData("iam")]
    [InlineData("redshift")]
    public async Task Listings_are_read_to_their_last_page_and_a_repeated_marker_ends_them(string service)
    {
        var (aws, action, truncated) = service == "iam" ? (AwsService.Iam, "ListRoles", "<IsTruncated>true</IsTruncated>") : (AwsService.Redshift, "DescribeClusters", "");
        HttpResponseMessage Page(string? marker, string? next) => ScriptedAwsHandler.Xml(System.Xml.Linq.XElement.Parse(
            $"<{action}Response><{action}Result><Items><member>{marker ?? "first"}</member></Items>{(next is null ? (service == "iam" ? "<IsTruncated>false</IsTruncated>" : "") : $"{truncated}<Marker>{next}</Marker>")}</{action}Result></{action}Response>"));
        string? MarkerOf(AwsWireRequest r) => r.Form.FirstOrDefault(p => p.Key == "Marker").Value;
        var endless = false;
        var handler = new ScriptedAwsHandler(r => MarkerOf(r) switch
        {
            null => Page(null, "m2"),
            "m2" => Page("m2", endless ? "m2" : "m3"),
            var marker => Page(marker, null),
        });
        var client = Client(handler);
        async Task<List<string?>> ListAsync() =>
            [.. (await client.QueryListAsync(aws, action, "Items", () => new AwsParameters().Add("PathPrefix", "/cord19/"), default)).Select(item => (string?)item.Value)];

        Assert.Equal(["first", "m2", "m3"], await ListAsync());
        Assert.All(handler.Requests, r => Assert.Single(r.Form, p => p.Key == "PathPrefix"));
        Assert.Equal([null, "m2", "m3"], handler.Requests.Select(MarkerOf));

        endless = true;
        Assert.Equal(["first", "m2"], await ListAsync());
    }

    /// <summary>Refusals whose services' models say to ask again later, though no SDK list names them.</summary>
    [Theory]
    [InlineData("ce", "LimitExceededException", 400, "You made too many calls in a short period of time. Try again later.")]
    [InlineData("redshift", "DependentServiceRequestThrottlingFault", 400, "The request cannot be completed because a dependent service is throttling requests made by Amazon Redshift on your behalf.")]
    [InlineData("redshift", "DependentServiceUnavailableFault", 400, "Your request cannot be completed because a dependent internal service is temporarily unavailable. Wait 30 to 60 seconds and try again.")]
    [InlineData("iam", "ConcurrentModification", 409, "Multiple requests to change this object were submitted simultaneously.")]
    public async Task Refusals_the_models_say_to_wait_out_are_retried(string service, string code, int status, string message)
    {
        var refused = false;
        var handler = new ScriptedAwsHandler(_ =>
        {
            if (refused) return null;
            refused = true;
            return service == "ce" ? ScriptedAwsHandler.JsonError(code, message, (HttpStatusCode)status) : ScriptedAwsHandler.QueryError(code, message, (HttpStatusCode)status);
        });
        var client = Client(handler);

        _ = service switch
        {
            "ce" => (object)await client.JsonAsync(AwsService.CostExplorer, "ListCostAllocationTags", new { TagKeys = new[] { "cord19:deployment" } }, default),
            "redshift" => await client.QueryAsync(AwsService.Redshift, "DescribeClusters", new AwsParameters(), default),
            _ => await GetRoleAsync(client),
        };

        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task An_HTML_page_instead_of_an_AWS_answer_is_named_never_pasted()
    {
        const string page = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1><p>proxy 10.0.0.7 secret-header</p>";
        var handler = new ScriptedAwsHandler(_ => new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent(page, Encoding.UTF8, "text/html") });

        var error = await Assert.ThrowsAsync<AwsException>(() => GetRoleAsync(Client(handler)));

        Assert.Contains("an HTML page, not an AWS answer", error.Message);
        Assert.DoesNotContain("<", error.Message);
        Assert.DoesNotContain("10.0.0.7", error.Message);
        // The SDK's exceptions carry the body in their message too: the same rule applies to them.
        var sdk = new AwsException("ec2:DescribeInstances", "Http502", $"Error unmarshalling response back from AWS. Response Body: {page}", HttpStatusCode.BadGateway);
        Assert.DoesNotContain("secret-header", sdk.Message);
    }

    [Fact]
    public async Task Retries_stop_after_the_limit_with_a_message_that_says_so()
    {
        var handler = new ScriptedAwsHandler(_ => ScriptedAwsHandler.QueryError("Throttling", "Rate exceeded"));

        var error = await Assert.ThrowsAsync<AwsException>(() => GetRoleAsync(Client(handler)));

        Assert.Equal(4, handler.Requests.Count);
        Assert.Equal(AwsErrorKind.Throttled, error.Kind);
        Assert.Contains("AWS kept failing iam:GetRole (Throttling, HTTP 400): Rate exceeded. It was retried with backoff", error.Message);
    }

    [Fact]
    public async Task A_denied_action_is_not_retried_and_the_message_names_it()
    {
        var handler = new ScriptedAwsHandler(_ => ScriptedAwsHandler.QueryError("AccessDenied",
            "User: arn:aws:iam::123456789012:user/student is not authorized to perform: iam:GetRole on resource: role cord19-airflow-instance", HttpStatusCode.Forbidden));

        var error = await Assert.ThrowsAsync<AwsException>(() => GetRoleAsync(Client(handler)));

        Assert.Single(handler.Requests);
        Assert.Equal(AwsErrorKind.Denied, error.Kind);
        Assert.StartsWith("AWS denied iam:GetRole (AccessDenied): User: arn:aws:iam::123456789012:user/student is not authorized", error.Message);
        Assert.EndsWith("Allow iam:GetRole for the identity the panel runs as (the AWS checklist shows which one), then try again.", error.Message);
    }

    [Fact]
    public async Task JSON_errors_are_read_from_their_namespaced_type()
    {
        var handler = new ScriptedAwsHandler(_ => ScriptedAwsHandler.JsonError("EntityNotFoundException", "Database covid-19 not found."));

        var error = await Assert.ThrowsAsync<AwsException>(() => Client(handler).JsonAsync(AwsService.Glue, "GetDatabase", new { Name = "covid-19" }, default));

        Assert.Equal(("EntityNotFoundException", AwsErrorKind.NotFound), (error.Code, error.Kind));
        Assert.Contains("glue:GetDatabase failed (EntityNotFoundException, HTTP 400): Database covid-19 not found.", error.Message);
    }

    [Fact]
    public async Task A_slow_answer_times_out_each_attempt_and_says_how_long_it_waited()
    {
        var handler = new SlowHandler(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<AwsException>(() => GetRoleAsync(Client(handler)));

        Assert.Equal(("Timeout", 4), (error.Code, handler.Calls));
        Assert.Contains("no answer from iam.amazonaws.com within 0.3 s", error.Message);
    }

    [Fact]
    public void Lenient_reading_ignores_namespaces_and_reads_empty_booleans_as_unknown()
    {
        var answer = System.Xml.Linq.XElement.Parse("""
            <DescribeClustersResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/">
              <DescribeClustersResult><Clusters><Cluster>
                <ClusterIdentifier>cord19-1a2b3c4d</ClusterIdentifier><Encrypted/><PubliclyAccessible>false</PubliclyAccessible>
                <NumberOfNodes>1</NumberOfNodes><ClusterCreateTime>2026-11-27T01:02:03.456Z</ClusterCreateTime>
              </Cluster></Clusters></DescribeClustersResult>
            </DescribeClustersResponse>
            """);
        var cluster = answer.Find("Clusters")!.Elements().Single();

        Assert.Equal("cord19-1a2b3c4d", cluster.Text("ClusterIdentifier"));
        Assert.Null(cluster.Bool("Encrypted"));
        Assert.False(cluster.Bool("PubliclyAccessible"));
        Assert.Equal(1, cluster.Double("NumberOfNodes"));
        Assert.Equal(new DateTime(2026, 11, 27, 1, 2, 3, 456, DateTimeKind.Utc), cluster.Time("ClusterCreateTime"));
        Assert.Null(cluster.Text("Endpoint"));
    }

    [Theory]
    [InlineData("AWS_ENDPOINT_URL_REDSHIFT", "http://127.0.0.1:4566/", "http://127.0.0.1:4566/")]
    [InlineData("AWS_ENDPOINT_URL", "http://localhost:4510", "http://localhost:4510/")]
    public async Task Endpoint_overrides_are_honoured_as_the_SDKs_do(string variable, string value, string expected)
    {
        var handler = new ScriptedAwsHandler();
        var client = Client(handler, name => name == variable ? value : null);

        await client.QueryAsync(AwsService.Redshift, "DescribeClusters", new AwsParameters(), default);

        Assert.Equal(expected, handler.Requests.Single().Uri.ToString());
        Assert.Contains("/us-east-2/redshift/aws4_request", handler.Requests.Single().Headers["Authorization"]);
    }

    [Fact]
    public void The_service_variable_wins_over_the_global_one_and_both_can_be_switched_off()
    {
        var both = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = "http://global:1", ["AWS_ENDPOINT_URL_GLUE"] = "http://glue:2" };

        Assert.Equal("http://glue:2/", AwsEndpoints.Override("GLUE", k => both.GetValueOrDefault(k))!.ToString());
        Assert.Equal("http://global:1/", AwsEndpoints.Override("IAM", k => both.GetValueOrDefault(k))!.ToString());
        Assert.Null(AwsEndpoints.Override("GLUE", k => k == AwsEndpoints.Ignore ? "true" : both.GetValueOrDefault(k)));
        var bad = Assert.Throws<AwsConfigurationException>(() => AwsEndpoints.Override("EC2", k => k == "AWS_ENDPOINT_URL_EC2" ? "localhost:4566" : null));
        Assert.Contains("AWS_ENDPOINT_URL_EC2='localhost:4566' is not an http(s) address", bad.Message);
    }

    [Fact]
    public void A_wrong_region_name_is_refused_before_any_call()
    {
        var error = Assert.Throws<AwsConfigurationException>(() => new AwsConnection("us-east-two", new HttpClient(), _ => null, TestKeys));

        Assert.Contains("'us-east-two' is not an AWS region name", error.Message);
    }

    /// <summary>The SDK clients (EC2, STS, SSM) follow the same variables: real requests to a real local server.</summary>
    [Fact]
    public async Task The_SDK_clients_follow_the_endpoint_variables_too()
    {
        var bodies = new List<string>();
        await using var server = await FaultServer.StartAsync(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            lock (bodies) bodies.Add(body);
            if (body.Contains("Action=DescribeVpcs"))
                await Answer(context, "text/xml", """
                    <DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>
                    <vpcSet><item><vpcId>vpc-0emulated</vpcId><isDefault>true</isDefault></item></vpcSet></DescribeVpcsResponse>
                    """);
            else if (body.Contains("Action=GetCallerIdentity"))
                await Answer(context, "text/xml", """
                    <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
                    <Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId><Account>000000000000</Account>
                    </GetCallerIdentityResult></GetCallerIdentityResponse>
                    """);
            else
                await Answer(context, "application/x-amz-json-1.1", """{"Parameter":{"Name":"/cord19/x","Type":"SecureString","Value":"emulated","Version":1}}""");
        });
        var url = server.BaseUrl.ToString();
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", new HttpClient(), name => name == "AWS_ENDPOINT_URL" ? url : null, TestKeys));

        var vpc = await cloud.DefaultVpcAsync(default);
        var me = await cloud.WhoAmIAsync(default);
        var secret = await cloud.GetSecretAsync("/cord19/x", default);

        Assert.Equal(("vpc-0emulated", "000000000000", "emulated"), (vpc, me.Account, secret));
        Assert.Equal(3, bodies.Count);
    }

    /// <summary>
    /// JSON 1.1 answers missing a field, or with one of another type, are read field by field (LenientJson): an answer
    /// without what the panel needs is a named AwsException, never a KeyNotFoundException from deep in a phase.
    /// </summary>
    [Fact]
    public async Task Odd_JSON_answers_are_read_field_by_field_and_a_missing_id_is_named()
    {
        var missingId = true;
        await using var server = await FaultServer.StartAsync(context => (context.Request.Headers["X-Amz-Target"].ToString(), missingId) switch
        {
            ("RedshiftData.ExecuteStatement", true) => Answer(context, "application/x-amz-json-1.1", """{"ClusterIdentifier": "c"}"""),
            ("RedshiftData.ExecuteStatement", false) => Answer(context, "application/x-amz-json-1.1", """{"Id": "s-1"}"""),
            ("RedshiftData.DescribeStatement", _) => Answer(context, "application/x-amz-json-1.1", """{"Id": "s-1", "Status": "FINISHED", "HasResultSet": true}"""),
            // No TotalNumRows, and a first row whose field is not the typed object Redshift Data sends.
            ("RedshiftData.GetStatementResult", _) => Answer(context, "application/x-amz-json-1.1", """{"Records": [[{"longValue": 15703}], ["odd"]]}"""),
            ("AWSGlue.GetDatabase", _) => Answer(context, "application/x-amz-json-1.1", """{"Database": {"Name": "covid-19"}}"""),
            _ => Answer(context, "application/x-amz-json-1.1", """{"Table": {"Name": "t", "StorageDescriptor": {"Location": 7, "Columns": null}}}"""),
        });
        var url = server.BaseUrl.ToString();
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", new HttpClient(), name => name == "AWS_ENDPOINT_URL" ? url : null, TestKeys));

        var noId = await Assert.ThrowsAsync<AwsException>(() => cloud.RunSqlAsync("c", "dev", "u", "select 1", default));
        missingId = false;
        var counted = await cloud.RunSqlAsync("c", "dev", "u", "select count(*) from lake", default);
        var table = await cloud.FindLakeTableAsync("covid-19", "t", default);

        Assert.Equal(("redshift-data:ExecuteStatement", "UnreadableResponse"), (noId.Action, noId.Code));
        Assert.Contains("the answer named no statement id", noId.Message);
        Assert.Equal(new SqlResult(2, "15703"), counted);
        Assert.Equal(new LakeTable("covid-19", "t", "7", 0), table);
    }

    /// <summary>
    /// Service Quotas has no applied value for a quota never raised or lowered for the account (NoSuchResourceException);
    /// AWS's default then holds, and the checklist's quota line judges against it instead of going amber.
    /// </summary>
    [Fact]
    public async Task A_quota_without_an_applied_value_is_read_as_AWSs_default()
    {
        var asked = new List<string>();
        await using var server = await FaultServer.StartAsync(context =>
        {
            var target = context.Request.Headers["X-Amz-Target"].ToString();
            lock (asked) asked.Add(target);
            if (target == "ServiceQuotasV20190624.GetServiceQuota")
            {
                context.Response.StatusCode = 400;
                return Answer(context, "application/x-amz-json-1.1",
                    """{"__type": "NoSuchResourceException", "message": "The request failed because applied value for the specified context Id do not exist."}""");
            }
            return Answer(context, "application/x-amz-json-1.1", """{"Quota": {"ServiceCode": "ec2", "QuotaCode": "L-34B43A08", "Value": 5.0}}""");
        });
        var url = server.BaseUrl.ToString();
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", new HttpClient(), name => name == "AWS_ENDPOINT_URL" ? url : null, TestKeys));

        var quota = await cloud.SpotVcpuQuotaAsync(default);

        Assert.Equal(5.0, quota);
        Assert.Equal(["ServiceQuotasV20190624.GetServiceQuota", "ServiceQuotasV20190624.GetAWSDefaultServiceQuota"], asked);
    }

    /// <summary>
    /// A statement Redshift ran and that failed is told apart from a refused call, and carries Redshift's own error alone:
    /// phase 2 reads the error to choose the fix (<see cref="SpectrumStatementFailure"/>).
    /// </summary>
    [Fact]
    public async Task A_failed_statement_carries_Redshifts_own_error()
    {
        const string error = "ERROR: Insufficient Lake Formation permission(s): Required Describe on covid-19";
        await using var server = await FaultServer.StartAsync(context => context.Request.Headers["X-Amz-Target"].ToString() switch
        {
            "RedshiftData.ExecuteStatement" => Answer(context, "application/x-amz-json-1.1", """{"Id": "s-1"}"""),
            _ => Answer(context, "application/x-amz-json-1.1", $$"""{"Id": "s-1", "Status": "FAILED", "Error": "{{error}}"}"""),
        });
        var url = server.BaseUrl.ToString();
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", new HttpClient(), name => name == "AWS_ENDPOINT_URL" ? url : null, TestKeys));

        var failed = await Assert.ThrowsAsync<AwsException>(() => cloud.RunSqlAsync("c", "dev", "u", "select count(*) from lake", default));

        Assert.Equal((AwsCloud.StatementFailed, error), (failed.Code, failed.AwsMessage));
    }

    /// <summary>EC2 gives the latest console output of Nitro instances only; an older type's refusal must not hide its first-boot log.</summary>
    [Fact]
    public async Task An_instance_without_the_latest_console_output_shows_EC2s_copy_instead()
    {
        var asked = new List<bool>();
        await using var server = await FaultServer.StartAsync(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            var latest = body.Contains("Latest=true");
            lock (asked) asked.Add(latest);
            if (latest)
            {
                context.Response.StatusCode = 400;
                await Answer(context, "text/xml", """
                    <Response><Errors><Error><Code>UnsupportedOperation</Code><Message>The instance type does not support the latest console output.</Message></Error></Errors>
                    <RequestID>r</RequestID></Response>
                    """);
            }
            else
                await Answer(context, "text/xml", $"""
                    <GetConsoleOutputResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><instanceId>i-0old</instanceId>
                    <timestamp>2026-12-05T09:00:00.000Z</timestamp><output>{Convert.ToBase64String(Encoding.UTF8.GetBytes("cord19: first boot FAILED at line 9 (exit 100)\n"))}</output>
                    </GetConsoleOutputResponse>
                    """);
        });
        var url = server.BaseUrl.ToString();
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", new HttpClient(), name => name == "AWS_ENDPOINT_URL" ? url : null, TestKeys));

        var output = await cloud.ConsoleOutputAsync("i-0old", default);

        Assert.Equal("cord19: first boot FAILED at line 9 (exit 100)\n", output);
        Assert.Equal([true, false], asked);

        // The wait for Airflow reads it every 30 s: the refusal is not met again.
        Assert.Equal(output, await cloud.ConsoleOutputAsync("i-0old", default));
        Assert.Equal([true, false, false], asked);
    }

    /// <summary>
    /// EC2 asks for its listings to be paged (unpaged, a large account's may be throttled or time out): the deployment's
    /// instances are asked for a page at a time and read to the last, and a page EC2 refuses fails as any call does,
    /// naming the action, rather than leak the SDK's exception.
    /// </summary>
    [Fact]
    public async Task The_deployments_instances_are_read_page_by_page_and_a_refused_page_names_the_action()
    {
        const string ns = "http://ec2.amazonaws.com/doc/2016-11-15/";
        var bodies = new List<string>();
        var refuseSecondPage = false;
        static string Instance(string id) =>
            $"<item><instanceId>{id}</instanceId><instanceState><code>16</code><name>running</name></instanceState><launchTime>2026-12-07T10:00:00.000Z</launchTime></item>";
        await using var server = await FaultServer.StartAsync(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            lock (bodies) bodies.Add(body);
            var second = body.Contains("NextToken=page-2");
            if (second && refuseSecondPage)
            {
                context.Response.StatusCode = 403;
                await Answer(context, "text/xml", "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r</RequestID></Response>");
                return;
            }
            await Answer(context, "text/xml", $"""
                <DescribeInstancesResponse xmlns="{ns}"><requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId>
                <instancesSet>{Instance(second ? "i-0second" : "i-0first")}</instancesSet></item></reservationSet>
                {(second ? "" : "<nextToken>page-2</nextToken>")}</DescribeInstancesResponse>
                """);
        });
        var url = server.BaseUrl.ToString();
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", new HttpClient(), name => name == "AWS_ENDPOINT_URL" ? url : null, TestKeys));

        var found = await cloud.FindInstancesAsync(Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), default);

        Assert.Equal(["i-0first", "i-0second"], found.Select(i => i.InstanceId).Order());
        Assert.All(bodies, body => Assert.Contains("MaxResults=1000", body));

        refuseSecondPage = true;
        var refused = await Assert.ThrowsAsync<AwsException>(() => cloud.FindInstancesAsync(Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), default));
        Assert.Equal(("ec2:DescribeInstances", AwsErrorKind.Denied), (refused.Action, refused.Kind));
    }

    /// <summary>
    /// VPC Block Public Access in EC2's answer shapes (the model's locationNames): its mode, every page of exclusions, and
    /// only the exclusions in force, named by the id at the end of their ARN.
    /// </summary>
    [Fact]
    public async Task VPC_Block_Public_Access_is_read_with_every_page_of_exclusions_in_force()
    {
        const string ns = "http://ec2.amazonaws.com/doc/2016-11-15/";
        static string Exclusion(string arn, string mode, string state) =>
            $"<item><exclusionId>exclusion-{state}</exclusionId><internetGatewayExclusionMode>{mode}</internetGatewayExclusionMode><resourceArn>{arn}</resourceArn><state>{state}</state></item>";
        await using var server = await FaultServer.StartAsync(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            await Answer(context, "text/xml", body switch
            {
                _ when body.Contains("Action=DescribeVpcBlockPublicAccessOptions") => $"""
                    <DescribeVpcBlockPublicAccessOptionsResponse xmlns="{ns}"><requestId>r</requestId><vpcBlockPublicAccessOptions>
                    <awsAccountId>123456789012</awsAccountId><awsRegion>us-east-2</awsRegion><state>update-complete</state>
                    <internetGatewayBlockMode>block-bidirectional</internetGatewayBlockMode><exclusionsAllowed>allowed</exclusionsAllowed>
                    </vpcBlockPublicAccessOptions></DescribeVpcBlockPublicAccessOptionsResponse>
                    """,
                _ when !body.Contains("NextToken=") => $"""
                    <DescribeVpcBlockPublicAccessExclusionsResponse xmlns="{ns}"><requestId>r</requestId><vpcBlockPublicAccessExclusionSet>
                    {Exclusion("arn:aws:ec2:us-east-2:123456789012:vpc/vpc-1", "allow-bidirectional", "create-complete")}
                    {Exclusion("arn:aws:ec2:us-east-2:123456789012:subnet/subnet-gone", "allow-bidirectional", "delete-complete")}
                    </vpcBlockPublicAccessExclusionSet><nextToken>page-2</nextToken></DescribeVpcBlockPublicAccessExclusionsResponse>
                    """,
                _ => $"""
                    <DescribeVpcBlockPublicAccessExclusionsResponse xmlns="{ns}"><requestId>r</requestId><vpcBlockPublicAccessExclusionSet>
                    {Exclusion("arn:aws:ec2:us-east-2:123456789012:subnet/subnet-b", "allow-egress", "update-complete")}
                    {Exclusion("arn:aws:ec2:us-east-2:123456789012:subnet/subnet-c", "allow-bidirectional", "create-in-progress")}
                    </vpcBlockPublicAccessExclusionSet></DescribeVpcBlockPublicAccessExclusionsResponse>
                    """,
            });
        });
        var url = server.BaseUrl.ToString();
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", new HttpClient(), name => name == "AWS_ENDPOINT_URL" ? url : null, TestKeys));

        var block = await cloud.VpcPublicAccessBlockAsync(default);

        Assert.Equal(("block-bidirectional", true), (block.Mode, block.ExclusionsAllowed));
        Assert.Equal([new PublicAccessExclusion("vpc-1", "allow-bidirectional"), new PublicAccessExclusion("subnet-b", "allow-egress")], block.Exclusions);
    }

    [Fact]
    public async Task An_endpoint_that_does_not_answer_is_a_clear_error_for_SDK_and_hand_signed_calls()
    {
        var dead = $"http://127.0.0.1:{Cord19.Tests.Support.LoopbackPort.Free()}";
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", new HttpClient(), name => name == "AWS_ENDPOINT_URL" ? dead : null, TestKeys));

        var sdk = await Assert.ThrowsAsync<AwsException>(() => cloud.WhoAmIAsync(default));
        var signed = await Assert.ThrowsAsync<AwsException>(() => cloud.FindRoleAsync("cord19-airflow-instance", default));

        Assert.Equal("sts:GetCallerIdentity", sdk.Action);
        // Said once, with the cause: the AWS page's checklist once read "Could not reach AWS for …: could not reach AWS (…)".
        Assert.StartsWith("Could not reach AWS for sts:GetCallerIdentity: ", sdk.Message);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(sdk.Message, "reach AWS", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
        Assert.Equal(("iam:GetRole", "Unavailable"), (signed.Action, signed.Code));
        Assert.Contains("could not reach http://127.0.0.1:", signed.Message);
    }

    private static async Task Answer(HttpContext context, string type, string body)
    {
        context.Response.ContentType = type;
        await context.Response.WriteAsync(body, Encoding.UTF8);
    }

    private sealed class SlowHandler(TimeSpan delay) : HttpMessageHandler
    {
        public int Calls;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            await Task.Delay(delay, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
