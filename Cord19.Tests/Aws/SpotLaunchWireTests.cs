using Amazon.Runtime;
using Cord19.Core.Aws;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Airflow;
using Microsoft.AspNetCore.Http;

namespace Cord19.Tests.Aws;

/// <summary>
/// The launch request as the AWS SDK puts it on the wire. moto keeps no credit specification (it answers "standard" for
/// every instance), so only the request itself can show which one the panel asked for.
/// </summary>
public sealed class SpotLaunchWireTests
{
    [Theory]
    [InlineData("t3.xlarge", "standard")] // unlimited, T3's default, would bill surplus CPU the meters cannot see
    [InlineData("m5.xlarge", null)] // a fixed-performance type: EC2 refuses a credit specification
    public async Task The_launch_asks_for_a_one_time_spot_instance_in_the_chosen_zone_with_IMDSv2_an_encrypted_volume_and_standard_credits_on_T_types_only(string type, string? credits)
    {
        var bodies = new List<string>();
        await using var ec2 = await FaultServer.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (bodies) bodies.Add(body);
            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync("""
                <RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
                  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId><reservationId>r-0abc</reservationId><ownerId>123456789012</ownerId>
                  <instancesSet><item><instanceId>i-0abc</instanceId><instanceState><code>0</code><name>pending</name></instanceState></item></instancesSet>
                </RunInstancesResponse>
                """);
        });
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_EC2"] = ec2.BaseUrl.ToString() };
        using var http = new HttpClient();
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", http, environment.GetValueOrDefault, new BasicAWSCredentials("AKIAEXAMPLE", "secret")));

        var launched = await cloud.RunSpotInstanceAsync(new InstanceSpec("token-1", "ami-0abc", type, 0.12m, 30, "sg-0abc", "cord19-profile", "#!/bin/bash",
            new Dictionary<string, string> { ["cord19:project"] = "cord19" }) { AvailabilityZone = "us-east-2c" }, default);

        Assert.Equal("i-0abc", launched.InstanceId);
        var form = Form(Assert.Single(bodies));
        Assert.Equal("RunInstances", form["Action"]);
        Assert.Equal(type, form["InstanceType"]);
        Assert.Equal(("token-1", "ami-0abc", "sg-0abc"), (form["ClientToken"], form["ImageId"], form["SecurityGroupId.1"]));
        // The role Run Command and the pipeline's S3 access go through.
        Assert.Equal("cord19-profile", form["IamInstanceProfile.Name"]);
        Assert.Equal("#!/bin/bash", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(form["UserData"])));
        Assert.Equal("spot", form["InstanceMarketOptions.MarketType"]);
        Assert.Equal("one-time", form["InstanceMarketOptions.SpotOptions.SpotInstanceType"]);
        Assert.Equal("required", form["MetadataOptions.HttpTokens"]);
        Assert.Equal("true", form["BlockDeviceMapping.1.Ebs.Encrypted"]);
        Assert.Equal(credits, form.GetValueOrDefault("CreditSpecification.CpuCredits"));
        Assert.Equal("us-east-2c", form["Placement.AvailabilityZone"]); // the zone's default subnet (SpotZones chose it)
        Assert.False(form.ContainsKey("SubnetId"));
        // What ends the billing: the price cap, an interruption or the instance's own shutdown (its maximum lifetime)
        // terminates rather than stops it, and its disk, Ubuntu's root device, goes with it.
        Assert.Equal("0.12", form["InstanceMarketOptions.SpotOptions.MaxPrice"]);
        Assert.Equal("terminate", form["InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior"]);
        Assert.Equal("terminate", form["InstanceInitiatedShutdownBehavior"]);
        Assert.Equal(("/dev/sda1", "gp3", "30", "true"), (form["BlockDeviceMapping.1.DeviceName"], form["BlockDeviceMapping.1.Ebs.VolumeType"],
            form["BlockDeviceMapping.1.Ebs.VolumeSize"], form["BlockDeviceMapping.1.Ebs.DeleteOnTermination"]));
        // The sweep finds each of the three by the tag: the instance, its disk and its spot request.
        Assert.Equal(["instance", "volume", "spot-instances-request"], Enumerable.Range(1, 3).Select(i => form[$"TagSpecification.{i}.ResourceType"]));
        Assert.All(Enumerable.Range(1, 3), i => Assert.Equal(("cord19:project", "cord19"), (form[$"TagSpecification.{i}.Tag.1.Key"], form[$"TagSpecification.{i}.Tag.1.Value"])));
    }

    /// <summary>
    /// The checklist's type, fallback and quota lines, phase 1 and the memory judgement each ask what a type is: EC2 is
    /// asked once per type, and a refusal is asked again rather than kept.
    /// </summary>
    [Fact]
    public async Task What_a_type_is_is_asked_of_EC2_once_and_a_failure_is_not_kept()
    {
        var asked = new List<string>();
        var fail = true;
        await using var ec2 = await FaultServer.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var form = Form(await reader.ReadToEndAsync());
            lock (asked) asked.Add(form["InstanceType.1"]);
            if (fail)
            {
                context.Response.StatusCode = 403;
                await context.Response.WriteAsync("<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>denied</Message></Error></Errors><RequestID>r</RequestID></Response>");
                return;
            }
            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync($"""
                <DescribeInstanceTypesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
                  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
                  <instanceTypeSet><item><instanceType>{form["InstanceType.1"]}</instanceType><vCpuInfo><defaultVCpus>4</defaultVCpus></vCpuInfo>
                    <memoryInfo><sizeInMiB>16384</sizeInMiB></memoryInfo></item></instanceTypeSet>
                </DescribeInstanceTypesResponse>
                """);
        });
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_EC2"] = ec2.BaseUrl.ToString() };
        using var http = new HttpClient();
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", http, environment.GetValueOrDefault, new BasicAWSCredentials("AKIAEXAMPLE", "secret")));

        await Assert.ThrowsAsync<AwsException>(() => cloud.InstanceTypeAsync("m5.xlarge", default));
        fail = false;
        Assert.Equal(4, (await cloud.InstanceTypeAsync("m5.xlarge", default))!.Vcpus);
        Assert.Equal(16384, (await cloud.InstanceTypeAsync("m5.xlarge", default))!.MemoryMiB);
        await cloud.InstanceTypeAsync("m6i.xlarge", default);

        Assert.Equal(["m5.xlarge", "m5.xlarge", "m6i.xlarge"], asked);
    }

    /// <summary>
    /// Where Canonical's public parameter is missing (some partitions, private endpoints), EC2 is asked for Canonical's
    /// 24.04 images; it lists them in no particular order, and the newest is the one with the latest patches.
    /// </summary>
    [Fact]
    public async Task Without_Canonicals_parameter_the_newest_of_Canonicals_images_is_launched()
    {
        var asked = new List<Dictionary<string, string>>();
        await using var aws = await FaultServer.StartAsync(async context =>
        {
            if (context.Request.Headers["X-Amz-Target"] == "AmazonSSM.GetParameter")
            {
                context.Response.StatusCode = 400;
                context.Response.ContentType = "application/x-amz-json-1.1";
                await context.Response.WriteAsync("""{"__type":"ParameterNotFound","message":""}""");
                return;
            }
            using var reader = new StreamReader(context.Request.Body);
            var form = Form(await reader.ReadToEndAsync());
            lock (asked) asked.Add(form);
            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync("""
                <DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
                  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
                  <imagesSet>
                    <item><imageId>ami-0march</imageId><creationDate>2026-03-05T10:00:00.000Z</creationDate></item>
                    <item><imageId>ami-0november</imageId><creationDate>2026-11-12T10:00:00.000Z</creationDate></item>
                    <item><imageId>ami-0july</imageId><creationDate>2026-07-20T10:00:00.000Z</creationDate></item>
                  </imagesSet>
                </DescribeImagesResponse>
                """);
        });
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_EC2"] = aws.BaseUrl.ToString(), ["AWS_ENDPOINT_URL_SSM"] = aws.BaseUrl.ToString() };
        using var http = new HttpClient();
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", http, environment.GetValueOrDefault, new BasicAWSCredentials("AKIAEXAMPLE", "secret")));

        Assert.Equal("ami-0november", await cloud.UbuntuImageAsync(default));

        var form = Assert.Single(asked);
        Assert.Equal(("DescribeImages", AwsCloud.CanonicalOwner), (form["Action"], form["Owner.1"]));
        Assert.Equal(("name", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"), (form["Filter.1.Name"], form["Filter.1.Value.1"]));
        Assert.Equal(("state", "available"), (form["Filter.2.Name"], form["Filter.2.Value.1"]));
    }

    private static Dictionary<string, string> Form(string body) => body.Split('&')
        .Select(p => p.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""));
}
