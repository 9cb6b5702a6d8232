using Amazon.Runtime;
using Cord19.Core.Aws;
using Cord19.Core.Results;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Airflow;
using Microsoft.AspNetCore.Http;

namespace Cord19.Tests.Aws;

/// <summary>
/// Every call the panel makes to the deployment's bucket names the account as the bucket's owner (S3's bucket owner
/// condition, x-amz-expected-bucket-owner), so a name taken by another account is refused, not written to or read from.
/// Neither s3rver nor moto checks that header: a scripted S3 does, as AWS documents it (403 AccessDenied).
/// </summary>
public sealed class BucketOwnerWireTests
{
    private const string Account = "123456789012";
    private const string Bucket = "cord19-1a2b3c4d-123456789012";

    /// <summary>One bucket, owned by <paramref name="owner"/>, listed among the caller's buckets when the caller is its owner.</summary>
    private sealed class ScriptedS3(string owner) : IAsyncDisposable
    {
        private readonly Dictionary<string, byte[]> _objects = new(StringComparer.Ordinal);
        private FaultServer? _server;

        /// <summary>Every request: method, path and query, and the owner it named ("" for none).</summary>
        public List<(string Request, string Owner)> Requests { get; } = [];

        public bool OwnerIsCaller { get; set; } = true;

        public async Task<AwsCloud> StartAsync()
        {
            _server = await FaultServer.StartAsync(AnswerAsync);
            var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_S3"] = _server.BaseUrl.ToString() };
            return new AwsCloud(new AwsConnection("us-east-2", new HttpClient(), environment.GetValueOrDefault, new BasicAWSCredentials("AKIAEXAMPLE", "secret")));
        }

        private async Task AnswerAsync(HttpContext context)
        {
            var (method, path, query) = (context.Request.Method, context.Request.Path.Value!, context.Request.QueryString.Value ?? "");
            var named = context.Request.Headers["x-amz-expected-bucket-owner"].ToString();
            lock (Requests) Requests.Add(($"{method} {path}{query}", named));
            context.Response.ContentType = "application/xml";
            if (path == "/")
            {
                var listed = OwnerIsCaller ? $"<Bucket><Name>{Bucket}</Name><CreationDate>2026-12-05T10:00:00.000Z</CreationDate></Bucket>" : "";
                await context.Response.WriteAsync($"""<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>o</ID></Owner><Buckets>{listed}</Buckets></ListAllMyBucketsResult>""");
                return;
            }
            if (named.Length > 0 && named != owner)
            {
                context.Response.StatusCode = 403;
                // A HEAD answer has no body, as S3's has not.
                if (method != "HEAD")
                    await context.Response.WriteAsync("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
                return;
            }
            var key = path.Length > Bucket.Length + 2 ? path[(Bucket.Length + 2)..] : "";
            switch (method)
            {
                case "PUT" when key.Length > 0:
                    using (var body = new MemoryStream())
                    {
                        await context.Request.Body.CopyToAsync(body);
                        lock (_objects) _objects[key] = body.ToArray();
                    }
                    context.Response.Headers.ETag = "\"etag\"";
                    return;
                case "HEAD" or "GET" when key.Length > 0:
                    byte[]? content;
                    lock (_objects) content = _objects.GetValueOrDefault(key);
                    if (content is null)
                    {
                        context.Response.StatusCode = 404;
                        if (method == "GET") await context.Response.WriteAsync("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
                        return;
                    }
                    context.Response.ContentType = "application/octet-stream";
                    context.Response.ContentLength = content.Length;
                    if (method == "GET") await context.Response.Body.WriteAsync(content);
                    return;
                case "GET" when query.Contains("list-type=2", StringComparison.Ordinal):
                    var prefix = context.Request.Query["prefix"].ToString();
                    string[] keys;
                    lock (_objects) keys = [.. _objects.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))];
                    await context.Response.WriteAsync($"""<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>{Bucket}</Name><KeyCount>{keys.Length}</KeyCount><IsTruncated>false</IsTruncated>{string.Concat(keys.Select(k => $"<Contents><Key>{k}</Key><Size>1</Size></Contents>"))}</ListBucketResult>""");
                    return;
                case "POST" when query.Contains("delete", StringComparison.Ordinal):
                    lock (_objects) _objects.Clear();
                    await context.Response.WriteAsync("""<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>""");
                    return;
                case "DELETE":
                    context.Response.StatusCode = 204;
                    return;
                default:
                    // CreateBucket and the hardening calls: S3 answers 200 with no body.
                    return;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_server is not null) await _server.DisposeAsync();
        }
    }

    private static readonly AccountBucket Deployments = new(Bucket, Account);
    private static readonly Dictionary<string, string> Tags = new() { ["cord19:project"] = "cord19" };

    [Fact]
    public async Task Every_call_to_the_deployment_bucket_names_the_account_as_its_owner()
    {
        await using var s3 = new ScriptedS3(Account) { OwnerIsCaller = false };
        using var cloud = await s3.StartAsync();

        await cloud.EnsureBucketAsync(Deployments, inAccountNamespace: false, Tags, default);
        await cloud.UploadAsync(Deployments, "deploy/cord19_dags.py", new MemoryStream("from airflow import DAG\n"u8.ToArray()), default);
        Assert.Equal(24, await cloud.ObjectSizeAsync(Deployments, "deploy/cord19_dags.py", default));
        var results = new ResultStore(cloud.Objects(Deployments, "results/"));
        await results.PublishRunAsync(SyntheticRun.Create("manual__1", 20), default);
        Assert.Equal(20, (await results.LoadRunAsync("manual__1", default)).Documents.Count);
        s3.OwnerIsCaller = true; // made now: the account lists it, so phase 7 deletes it
        await cloud.DeleteBucketAsync(Deployments, default);

        var toTheBucket = s3.Requests.Where(r => r.Request.Split(' ')[1].StartsWith($"/{Bucket}", StringComparison.Ordinal)).ToList();
        // CreateBucket is the one call without the condition: S3 takes none on it, the bucket being made.
        var create = Assert.Single(toTheBucket, r => r.Request == $"PUT /{Bucket}/");
        Assert.Equal("", create.Owner);
        var rest = toTheBucket.Where(r => r != create).ToList();
        Assert.All(rest, r => Assert.True(r.Owner == Account, $"{r.Request} named owner '{r.Owner}'"));
        // The hardening, a PUT, a HEAD, the result store's writes, lists and reads, and the deletion: each kind of call was made.
        foreach (var kind in new[] { "?publicAccessBlock", "?encryption", "?tagging", "PUT /" + Bucket + "/deploy/", "HEAD /", "GET /" + Bucket + "/?list-type=2", "GET /" + Bucket + "/results/", "PUT /" + Bucket + "/results/", "POST /" + Bucket + "/?delete", "DELETE /" + Bucket + "/" })
            Assert.Contains(rest, r => r.Request.Contains(kind, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bucket_name_another_account_took_is_refused_with_what_to_do()
    {
        // The name phase 1 made, deleted outside the panel and taken by another account: S3 no longer lists it as ours.
        await using var s3 = new ScriptedS3(owner: "999999999999") { OwnerIsCaller = false };
        using var cloud = await s3.StartAsync();

        var upload = await Assert.ThrowsAsync<BucketNotOwnedException>(() =>
            cloud.UploadAsync(Deployments, "deploy/cord19_pipeline.tar.gz", new MemoryStream([1, 2, 3]), default));
        var size = await Assert.ThrowsAsync<BucketNotOwnedException>(() => cloud.ObjectSizeAsync(Deployments, "deploy/metadata.csv.gz", default));
        var copy = await Assert.ThrowsAsync<BucketNotOwnedException>(() =>
            new ResultStore(new LocalFolderObjectStore(Directory.CreateTempSubdirectory().FullName)).CopyRunsFromAsync(cloud.Objects(Deployments, "results/"), default));

        Assert.Contains("S3 refused s3:PutObject on s3://" + Bucket, upload.Message);
        Assert.Contains("account 123456789012 has no bucket of that name", upload.Message);
        Assert.Contains("run phase 7", upload.Message);
        Assert.Contains("s3:GetObject", size.Message);
        Assert.Contains("s3:ListBucket", copy.Message);
        // Nothing reached the other account's bucket: every call to it was refused.
        Assert.DoesNotContain(s3.Requests, r => r.Request.Split(' ')[1].StartsWith($"/{Bucket}", StringComparison.Ordinal) && r.Owner != Account);
    }

    [Fact]
    public async Task A_refusal_on_the_account_s_own_bucket_stays_a_missing_grant()
    {
        // The bucket is the account's, but S3 refuses the panel (its policy lacks s3:PutObject): the fix is a grant, not phase 7.
        await using var s3 = new ScriptedS3(owner: "999999999999") { OwnerIsCaller = true };
        using var cloud = await s3.StartAsync();

        var refused = await Assert.ThrowsAsync<AwsException>(() => cloud.UploadAsync(Deployments, "deploy/x", new MemoryStream([1]), default));

        Assert.Equal(AwsErrorKind.Denied, refused.Kind);
        Assert.Contains("Allow s3:PutObject", refused.Message);
    }
}
