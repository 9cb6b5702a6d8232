using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Cord19.Core.Results;

namespace Cord19.Core.Releases;

/// <summary>
/// AI2's CORD-19 releases in their public bucket: one folder a release, named by its date, each with its
/// <c>metadata.csv</c> (allenai/cord19's README). Read anonymously: no AWS account is needed or used.
/// </summary>
public sealed class Cord19Releases(IAmazonS3 s3, string bucket = Cord19Releases.Bucket)
{
    public const string Bucket = "ai2-semanticscholar-cord-19";
    public const string Region = "us-west-2";
    public const string Final = "final";

    public sealed record Release(string Date, string Key, long Size, string ETag);

    /// <summary>
    /// An anonymous client for AI2's bucket, or for the S3-compatible server named by <c>AWS_ENDPOINT_URL_S3</c>
    /// (a mirror, or s3rver in the tests).
    /// </summary>
    public static Cord19Releases Anonymous(string? endpoint = null) =>
        new(S3ObjectStore.CreateClient(endpoint ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3"), Region, new AnonymousAWSCredentials()));

    /// <summary>The release dates, newest first (the final release, 2022-06-02, leads).</summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken ct)
    {
        var dates = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Delimiter = "/" };
        ListObjectsV2Response page;
        do
        {
            page = await Call(() => s3.ListObjectsV2Async(request, ct), "list the releases in");
            // SDK v4: an empty list comes back null.
            foreach (var prefix in page.CommonPrefixes ?? [])
            {
                var name = prefix.TrimEnd('/');
                if (DateOnly.TryParseExact(name, "yyyy-MM-dd", out _)) dates.Add(name);
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        return dates.OrderDescending(StringComparer.Ordinal).ToList();
    }

    /// <summary>A release's <c>metadata.csv</c>: its size and ETag, read before any byte is downloaded.</summary>
    /// <param name="date">yyyy-MM-dd, or "final" for the newest.</param>
    public async Task<Release> DescribeAsync(string date, CancellationToken ct)
    {
        if (date == Final)
            date = (await ListAsync(ct)).FirstOrDefault()
                ?? throw new InvalidDataException($"s3://{bucket} lists no release folders: check AWS_ENDPOINT_URL_S3, or name a date with --release.");
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", out _))
            throw new InvalidDataException($"Release '{date}' is not a date: use yyyy-MM-dd (for example 2022-06-02) or 'final'.");
        var key = $"{date}/metadata.csv";
        var head = await Call(() => s3.GetObjectMetadataAsync(bucket, key, ct), $"find {key} in", date);
        return new Release(date, key, head.ContentLength, head.ETag?.Trim('"') ?? "");
    }

    /// <summary>The release's bytes from <paramref name="offset"/> on (a ranged read when resuming).</summary>
    public async Task<Stream> OpenAsync(Release release, long offset, CancellationToken ct)
    {
        var request = new GetObjectRequest { BucketName = bucket, Key = release.Key };
        if (offset > 0) request.ByteRange = new ByteRange(offset, release.Size - 1);
        var response = await Call(() => s3.GetObjectAsync(request, ct), $"read {release.Key} from");
        return response.ResponseStream;
    }

    /// <summary>S3's refusals as one clear message: what was asked, where, and what to do.</summary>
    private async Task<T> Call<T>(Func<Task<T>> call, string what, string? release = null)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound && release is not null)
        {
            throw new InvalidDataException($"Release {release} has no metadata.csv in s3://{bucket}: pick a date that 'cord19-pipeline releases' lists.");
        }
        catch (AmazonS3Exception ex)
        {
            throw new InvalidDataException($"Could not {what} s3://{bucket} ({(int)ex.StatusCode} {ex.ErrorCode}): if anonymous access is refused, download metadata.csv by hand and point Settings at it.");
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidDataException($"Could not {what} s3://{bucket}: the network did not answer ({ex.HttpRequestError}). Check the connection (or AWS_ENDPOINT_URL_S3) and try again; a download resumes where it stopped.");
        }
    }
}
