using Amazon.Runtime;
using Cord19.Core.Aws;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Airflow;

namespace Cord19.Tests.Aws;

/// <summary>
/// The data lake's region is asked with HeadBucket, whose answer carries the bucket's region in x-amz-bucket-region
/// whether or not the caller may use the bucket (S3's API reference). GetBucketLocation on another account's bucket, as
/// AWS's data lake is, is refused outside the bucket's home region, so the region rule would never have fired where it
/// matters. moto answers every HEAD with 200; a scripted S3 answers as AWS documents it.
/// </summary>
public sealed class BucketRegionWireTests
{
    [Theory]
    [InlineData(200, "us-east-2", "us-east-2")] // the caller may list the bucket
    [InlineData(403, "us-east-2", "us-east-2")] // it may not: the region comes all the same
    [InlineData(301, "us-east-2", "us-east-2")] // asked in another region's endpoint
    [InlineData(404, null, null)] // no such bucket
    public async Task The_lakes_region_comes_from_S3s_HEAD_answer_whether_or_not_the_caller_may_use_the_bucket(int status, string? header, string? expected)
    {
        var asked = new List<string>();
        await using var s3 = await FaultServer.StartAsync(context =>
        {
            lock (asked) asked.Add($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            context.Response.StatusCode = status;
            if (header is not null) context.Response.Headers["x-amz-bucket-region"] = header;
            return Task.CompletedTask;
        });
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_S3"] = s3.BaseUrl.ToString() };
        using var cloud = new AwsCloud(new AwsConnection("eu-west-1", new HttpClient(), environment.GetValueOrDefault, new BasicAWSCredentials("AKIAEXAMPLE", "secret")));

        var region = await cloud.BucketRegionAsync(DataLakeCheck.LakeBucket, default);

        Assert.Equal(expected, region);
        Assert.All(asked, request => Assert.Equal($"HEAD /{DataLakeCheck.LakeBucket}", request.TrimEnd('/')));
    }
}
