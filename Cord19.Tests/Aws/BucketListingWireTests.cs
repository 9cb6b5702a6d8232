using Amazon.Runtime;
using Cord19.Core.Aws;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Airflow;
using Microsoft.AspNetCore.Http;

namespace Cord19.Tests.Aws;

/// <summary>
/// S3 pages an account's buckets (ListBuckets' continuation token), and neither s3rver nor moto ever does: a scripted
/// S3 answers two pages, the deployment's bucket on the second, so only a listing that follows the token finds it.
/// </summary>
public sealed class BucketListingWireTests
{
    [Fact]
    public async Task A_bucket_of_the_account_on_a_second_page_is_found_and_not_created_again()
    {
        const string bucket = "cord19-1a2b3c4d-123456789012-us-east-2-an";
        var requests = new List<string>();
        await using var s3 = await FaultServer.StartAsync(async context =>
        {
            var request = $"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}";
            lock (requests) requests.Add(request);
            context.Response.ContentType = "application/xml";
            if (context.Request.Method == "GET" && context.Request.Path == "/")
            {
                var second = context.Request.Query.ContainsKey("continuation-token");
                await context.Response.WriteAsync($"""
                    <ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                      <Owner><ID>owner</ID></Owner>
                      <Buckets><Bucket><Name>{(second ? bucket : "cord19-0000aaaa-123456789012-us-east-2-an")}</Name><CreationDate>2026-12-05T10:00:00.000Z</CreationDate></Bucket></Buckets>
                      {(second ? "" : "<ContinuationToken>page-2</ContinuationToken>")}
                    </ListAllMyBucketsResult>
                    """);
            }
        });
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_S3"] = s3.BaseUrl.ToString() };
        using var http = new HttpClient();
        using var cloud = new AwsCloud(new AwsConnection("us-east-2", http, environment.GetValueOrDefault, new BasicAWSCredentials("AKIAEXAMPLE", "secret")));

        await cloud.EnsureBucketAsync(new AccountBucket(bucket, "123456789012"), inAccountNamespace: true, new Dictionary<string, string> { ["cord19:project"] = "cord19" }, default);

        Assert.Equal(2, requests.Count(r => r.StartsWith("GET /?", StringComparison.Ordinal)));
        Assert.Contains(requests, r => r.StartsWith("GET /?", StringComparison.Ordinal) && r.Contains("continuation-token=page-2", StringComparison.Ordinal));
        // Found on the second page: the bucket is hardened, never created (CreateBucket is a PUT of the bucket alone).
        Assert.DoesNotContain(requests, r => r == $"PUT /{bucket}" || r == $"PUT /{bucket}/");
        Assert.Contains(requests, r => r.StartsWith($"PUT /{bucket}/?publicAccessBlock", StringComparison.Ordinal));
    }
}
