using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cord19.Core.Results;

/// <summary>
/// An <see cref="IObjectStore"/> over an S3 bucket: AWS, or any S3-compatible server (MinIO, s3rver) by
/// endpoint. Credentials come from the SDK's standard chain; the app never stores keys.
/// </summary>
/// <param name="expectedOwner">The account that must own the bucket, sent with every call (S3 refuses it otherwise); null sends none.</param>
public sealed class S3ObjectStore(IAmazonS3 s3, string bucket, string prefix = "", string? expectedOwner = null) : IObjectStore
{
    private readonly string _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";

    public string Location => $"s3://{bucket}/{_prefix}";

    /// <summary>A client for AWS (no endpoint) or for an S3-compatible server at <paramref name="endpoint"/>.</summary>
    public static IAmazonS3 CreateClient(string? endpoint, string region, AWSCredentials? credentials = null)
    {
        var config = new AmazonS3Config
        {
            RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region),
            // S3-compatible servers speak path-style URLs and reject the SDK's default flexible checksums.
            RequestChecksumCalculation = string.IsNullOrEmpty(endpoint) ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = string.IsNullOrEmpty(endpoint) ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrEmpty(endpoint))
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region;
        }
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    public async Task WriteAsync(string key, Func<Stream, Task> write, CancellationToken ct)
    {
        // PUT replaces an object whole, so the body is built first: a failed write leaves the old object. It is built
        // in a temporary file: a whole-dataset corpus is a few GB, and a MemoryStream stops at 2 GB.
        await using var body = TemporaryFile();
        await write(body);
        body.Position = 0;
        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            ExpectedBucketOwner = expectedOwner,
            Key = _prefix + Checked(key),
            InputStream = body,
            AutoCloseStream = false,
            UseChunkEncoding = false,
        }, ct);
    }

    public async Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken ct)
    {
        var request = new GetObjectRequest { BucketName = bucket, ExpectedBucketOwner = expectedOwner, Key = _prefix + Checked(key) };
        // A range GET: one line of a 1.7 GB abstracts file costs its block's bytes, not the file's.
        if (offset > 0 || length is not null)
            request.ByteRange = length is { } bytes ? new ByteRange(offset, offset + Math.Max(1, bytes) - 1) : new ByteRange($"bytes={offset}-");
        try
        {
            using var response = await s3.GetObjectAsync(request, ct);
            // Read whole before it is used (no connection held open by a slow reader); a large object into a temporary file.
            Stream copy = response.ContentLength > LargeObject ? TemporaryFile() : new MemoryStream();
            try
            {
                await response.ResponseStream.CopyToAsync(copy, ct);
                copy.Position = 0;
                return copy;
            }
            catch
            {
                await copy.DisposeAsync();
                throw;
            }
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // A range that starts past the object's end holds nothing, as a local file read there does.
            return new MemoryStream();
        }
    }

    private const long LargeObject = 64L << 20;

    /// <summary>A file in the temporary folder that is deleted when it is closed.</summary>
    private static FileStream TemporaryFile() =>
        new(Path.Combine(Path.GetTempPath(), $"cord19-s3-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
            1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);

    public async IAsyncEnumerable<string> ListAsync(string keyPrefix, [EnumeratorCancellation] CancellationToken ct)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, ExpectedBucketOwner = expectedOwner, Prefix = _prefix + keyPrefix };
        ListObjectsV2Response response;
        do
        {
            response = await s3.ListObjectsV2Async(request, ct);
            // SDK v4 returns null, not an empty list, when nothing matches.
            foreach (var item in (response.S3Objects ?? []).OrderBy(o => o.Key, StringComparer.Ordinal))
                yield return item.Key[_prefix.Length..];
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
    }

    public async Task DeletePrefixAsync(string keyPrefix, CancellationToken ct)
    {
        var keys = await ListAsync(keyPrefix, ct).ToListAsync(ct);
        foreach (var batch in keys.Chunk(1000))
            await s3.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = bucket,
                ExpectedBucketOwner = expectedOwner,
                Objects = batch.Select(k => new KeyVersion { Key = _prefix + k }).ToList(),
            }, ct);
    }

    private static string Checked(string key) =>
        key.Contains("..", StringComparison.Ordinal) || key.StartsWith('/')
            ? throw new ArgumentException($"Result key '{key}' must be a relative path without '..'.", nameof(key))
            : key;
}
