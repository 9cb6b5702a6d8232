using Amazon.S3;
using Amazon.S3.Model;
using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    public async Task<IReadOnlyList<string>> EnsureBucketAsync(AccountBucket bucket, bool inAccountNamespace, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        if (!await OwnsBucketAsync(bucket.Name, ct))
        {
            var request = new PutBucketRequest
            {
                BucketName = bucket.Name,
                BucketNamespace = inAccountNamespace ? BucketNamespace.AccountRegional : null,
            };
            // us-east-1 is S3's default and must not be named as a location constraint.
            if (Region != "us-east-1") request.BucketRegion = new S3Region(Region);
            try
            {
                await AwsCall.RunAsync("s3:CreateBucket", () => S3.PutBucketAsync(request, ct));
            }
            catch (AwsException ex) when (ex.Code == "BucketAlreadyOwnedByYou")
            {
                // Made a moment ago by this phase's first attempt. BucketAlreadyExists, another account's, goes up.
            }
        }
        var unsupported = new List<string>();
        await HardenAsync(bucket, unsupported, "s3:PutBucketPublicAccessBlock", () => S3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
        {
            BucketName = bucket.Name,
            ExpectedBucketOwner = bucket.Account,
            PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration
            {
                BlockPublicAcls = true, BlockPublicPolicy = true, IgnorePublicAcls = true, RestrictPublicBuckets = true,
            },
        }, ct), ct);
        await HardenAsync(bucket, unsupported, "s3:PutEncryptionConfiguration", () => S3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = bucket.Name,
            ExpectedBucketOwner = bucket.Account,
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } }],
            },
        }, ct), ct);
        // Over plain HTTP (an emulator, an endpoint without TLS) the TLS-only policy would refuse the panel itself.
        if (S3.Config.ServiceURL?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true)
            unsupported.Add("s3:PutBucketPolicy");
        else
            await HardenAsync(bucket, unsupported, "s3:PutBucketPolicy", () => S3.PutBucketPolicyAsync(new PutBucketPolicyRequest
            {
                BucketName = bucket.Name,
                ExpectedBucketOwner = bucket.Account,
                Policy = TlsOnlyPolicy(bucket.Name),
            }, ct), ct);
        await HardenAsync(bucket, unsupported, "s3:PutBucketTagging", () => S3.PutBucketTaggingAsync(new PutBucketTaggingRequest
        {
            BucketName = bucket.Name,
            ExpectedBucketOwner = bucket.Account,
            TagSet = tags.Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList(),
        }, ct), ct);
        return unsupported;
    }

    /// <summary>
    /// HeadBucket, not GetBucketLocation: S3 puts the bucket's region in every HEAD answer (x-amz-bucket-region), whether
    /// or not the caller may use the bucket, whereas GetBucketLocation on another account's bucket (AWS's data lake) is
    /// refused outside the bucket's home region, as S3's API reference says. Null when S3 does not say (no such bucket).
    /// </summary>
    public async Task<string?> BucketRegionAsync(string bucket, CancellationToken ct)
    {
        try
        {
            return await AwsCall.RunAsync("s3:ListBucket", async () =>
            {
                try
                {
                    var answer = await S3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, ct);
                    return string.IsNullOrEmpty(answer.BucketRegion) ? null : answer.BucketRegion;
                }
                catch (AmazonS3Exception ex) when (RegionHeaderOf(ex) is { } region)
                {
                    // A refusal (403) or a redirect (301) still names the region.
                    return region;
                }
            });
        }
        catch (AwsException ex) when (ex.Kind is AwsErrorKind.Denied or AwsErrorKind.NotFound || ex.Status is System.Net.HttpStatusCode.MovedPermanently)
        {
            return null;
        }
    }

    /// <summary>The failed answer's x-amz-bucket-region header: the SDK keeps the answer in the exception it wraps.</summary>
    private static string? RegionHeaderOf(AmazonS3Exception ex) =>
        ex.InnerException is Amazon.Runtime.Internal.HttpErrorResponseException { Response: { } response } && response.IsHeaderPresent("x-amz-bucket-region")
            ? response.GetHeaderValue("x-amz-bucket-region") is { Length: > 0 } region ? region : null
            : null;

    public async Task<bool?> HasObjectsAsync(string bucket, string prefix, CancellationToken ct)
    {
        try
        {
            var answer = await AwsCall.RunAsync("s3:ListBucket", () => S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = 1 }, ct));
            return (answer.KeyCount ?? answer.S3Objects?.Count ?? 0) > 0;
        }
        catch (AwsException ex) when (ex.Kind is AwsErrorKind.Denied)
        {
            return null;
        }
        catch (AwsException ex) when (ex.Kind is AwsErrorKind.NotFound)
        {
            return false;
        }
    }

    public async Task<long?> ObjectSizeAsync(AccountBucket bucket, string key, CancellationToken ct)
    {
        try
        {
            var answer = await OnAccountBucketAsync(bucket, "s3:GetObject", () => S3.GetObjectMetadataAsync(new GetObjectMetadataRequest
            {
                BucketName = bucket.Name, ExpectedBucketOwner = bucket.Account, Key = key,
            }, ct), ct);
            return answer.ContentLength;
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// The bucket refuses any request that does not come over TLS, whoever signs it (AWS Security Hub's S3.5). The
    /// panel, the instance, Spectrum's UNLOAD and the presigned links all use HTTPS already; this keeps a misconfigured
    /// client from sending results or keys in clear. A deny, so the public access block has nothing to object to.
    /// </summary>
    internal static string TlsOnlyPolicy(string bucket) => PolicyDocument.Of(new
    {
        Sid = "DenyRequestsWithoutTls",
        Effect = "Deny",
        Principal = "*",
        Action = "s3:*",
        Resource = new[] { $"arn:aws:s3:::{bucket}", $"arn:aws:s3:::{bucket}/*" },
        Condition = new { Bool = new Dictionary<string, string> { ["aws:SecureTransport"] = "false" } },
    });

    /// <summary>
    /// AWS implements these calls; an S3-compatible server reached through AWS_ENDPOINT_URL_S3 may answer 501 Not
    /// Implemented, which is reported (the phase logs it) rather than failing the deployment. The ledger still
    /// holds the bucket, so teardown finds it even where the tag sweep cannot.
    /// </summary>
    private async Task HardenAsync<T>(AccountBucket bucket, List<string> unsupported, string action, Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            await OnAccountBucketAsync(bucket, action, call, ct);
        }
        catch (AwsException ex) when (ex.Code == "NotImplemented")
        {
            unsupported.Add(action);
        }
    }

    /// <summary>
    /// Whether this account has a bucket of that name: S3 lists only the caller's own buckets, where GetBucketLocation also
    /// answers for another account's bucket whose policy lets the caller in.
    /// </summary>
    public async Task<bool> OwnsBucketAsync(string bucket, CancellationToken ct) => (await OwnBucketsAsync(bucket, ct)).Contains(bucket);

    /// <summary>
    /// The names of this account's buckets that start with <paramref name="prefix"/>, asked by prefix and page by page: S3
    /// pages an account's buckets, and an account may hold more than one page of others.
    /// </summary>
    private async Task<IReadOnlyList<string>> OwnBucketsAsync(string prefix, CancellationToken ct)
    {
        var buckets = await AwsCall.ListAsync("s3:ListAllMyBuckets", S3.Paginators.ListBuckets(new ListBucketsRequest { Prefix = prefix }).Buckets, ct);
        // An S3-compatible server may ignore the prefix.
        return [.. buckets.Select(b => b.BucketName).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal)];
    }

    public Task UploadAsync(AccountBucket bucket, string key, Stream content, CancellationToken ct) =>
        OnAccountBucketAsync(bucket, "s3:PutObject", () => S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket.Name, ExpectedBucketOwner = bucket.Account, Key = key, InputStream = content, AutoCloseStream = false, UseChunkEncoding = false,
        }, ct), ct);

    public string PresignGet(AccountBucket bucket, string key, TimeSpan validFor) =>
        S3.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = bucket.Name,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow.Add(validFor),
            // The SDK presigns https unless told otherwise; an http endpoint override (an emulator) needs http links.
            Protocol = S3.Config.ServiceURL?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true ? Protocol.HTTP : Protocol.HTTPS,
        });

    public Results.IObjectStore Objects(AccountBucket bucket, string prefix) => new AccountBucketObjects(this, bucket, prefix);

    public async Task DeleteBucketAsync(AccountBucket bucket, CancellationToken ct)
    {
        if (!await OwnsBucketAsync(bucket.Name, ct)) return;
        await Objects(bucket, "").DeletePrefixAsync("", ct);
        await IgnoreAsync(AwsErrorKind.NotFound, () => OnAccountBucketAsync(bucket, "s3:DeleteBucket", () => S3.DeleteBucketAsync(new DeleteBucketRequest
        {
            BucketName = bucket.Name, ExpectedBucketOwner = bucket.Account,
        }, ct), ct));
    }

    /// <summary>
    /// One call to the deployment's bucket. S3 answers a bucket owned by another account than the one named (the request's
    /// ExpectedBucketOwner) as it answers a missing grant, AccessDenied; the two need different fixes, so a denial is
    /// followed by asking whether the account still has the bucket.
    /// </summary>
    private async Task<T> OnAccountBucketAsync<T>(AccountBucket bucket, string action, Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await AwsCall.RunAsync(action, call);
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.Denied)
        {
            if (await OwnsBucketOrUnknownAsync(bucket.Name, ct) is false) throw new BucketNotOwnedException(bucket, ex);
            throw;
        }
    }

    /// <summary>Null when the account's buckets cannot be listed either: then the first refusal says more.</summary>
    private async Task<bool?> OwnsBucketOrUnknownAsync(string bucket, CancellationToken ct)
    {
        try
        {
            return await OwnsBucketAsync(bucket, ct);
        }
        catch (AwsException)
        {
            return null;
        }
    }
}
