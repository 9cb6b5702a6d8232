using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Cord19.Core.Results;

namespace Cord19.Core.Releases;

/// <summary>
/// AI2's CORD-19 releases in their public bucket: one folder a release, named by its date, each with its
/// <c>metadata.csv</c> (allenai/cord19's README). Read anonymously: no AWS account is needed or used. An address instead
/// of a date (https:// or s3://) names a mirror's metadata.csv, read by <see cref="MirrorAddress"/>.
/// </summary>
public sealed class Cord19Releases(IAmazonS3 s3, MirrorAddress mirrors, string bucket = Cord19Releases.Bucket)
{
    public const string Bucket = "ai2-semanticscholar-cord-19";
    public const string Region = "us-west-2";
    public const string Final = "final";

    /// <summary>A release's metadata.csv, or a mirror's.</summary>
    /// <param name="Name">The release's date, or the mirror's address.</param>
    /// <param name="Address">Where a mirror's file is read over HTTP; null for AI2's bucket.</param>
    /// <param name="Gzip">The source is gzip-compressed already, and is stored as it comes.</param>
    /// <param name="S3ETag">The ETag follows S3's rule (a plain MD5 of the bytes for a single-part upload); another
    /// server's ETag only tells a changed file from the same one.</param>
    public sealed record Release(string Name, string Key, long Size, string ETag, Uri? Address = null, bool Gzip = false, bool S3ETag = true);

    /// <summary>What the bucket lists, or, when listing is refused, the documented releases.</summary>
    public sealed record Listing(IReadOnlyList<string> Dates, bool FromBucket);

    /// <summary>
    /// Releases documented by allenai/cord19's README (first, final, and those of the TREC-COVID and EPIC-QA rounds):
    /// offered when the bucket refuses anonymous listing but still serves its objects. Each is checked by its own
    /// HEAD before download, and any other date can still be typed.
    /// </summary>
    public static readonly IReadOnlyList<string> Documented =
        ["2022-06-02", "2020-10-22", "2020-07-16", "2020-06-19", "2020-05-26", "2020-05-19", "2020-05-01", "2020-04-10", "2020-03-13"];

    /// <summary>Why <paramref name="name"/> names no release (a date, "final", or a mirror's address); null when it does.</summary>
    public static string? NameProblem(string? name)
    {
        if (name == Final || DateOnly.TryParseExact(name, "yyyy-MM-dd", out _)) return null;
        // An address goes into the instance's shell script between single quotes: nothing that could end them.
        if (name is not null && MirrorAddress.IsAddress(name) && Uri.TryCreate(name, UriKind.Absolute, out var uri) && uri.Host.Length > 0
            && !name.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\' or '`' or '$'))
            return null;
        return $"Release '{name}' is not a release: use a date such as 2022-06-02, 'final', or a mirror's https:// or s3:// address of a metadata.csv.";
    }

    /// <summary>
    /// An anonymous client for AI2's bucket, or for the S3-compatible server named by <c>AWS_ENDPOINT_URL_S3</c>
    /// (a mirror, or s3rver in the tests).
    /// </summary>
    public static Cord19Releases Anonymous(string? endpoint = null, HttpClient? http = null)
    {
        endpoint ??= Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3");
        return new(S3ObjectStore.CreateClient(endpoint, Region, new AnonymousAWSCredentials()), new MirrorAddress(http ?? new HttpClient(), endpoint));
    }

    /// <summary>The release dates, newest first (the final release, 2022-06-02, leads).</summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken ct) => (await ListOrDocumentedAsync(ct)).Dates;

    /// <summary>The release dates, newest first; the documented ones when the bucket refuses to list (403).</summary>
    public async Task<Listing> ListOrDocumentedAsync(CancellationToken ct)
    {
        try
        {
            return new Listing(await ListBucketAsync(ct), FromBucket: true);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.Forbidden)
        {
            return new Listing(Documented, FromBucket: false);
        }
    }

    private async Task<IReadOnlyList<string>> ListBucketAsync(CancellationToken ct)
    {
        var dates = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Delimiter = "/" };
        ListObjectsV2Response page;
        do
        {
            page = await Call(() => s3.ListObjectsV2Async(request, ct), "list the releases in", passForbidden: true);
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
    /// <param name="date">yyyy-MM-dd, "final" for the newest, or a mirror's https:// or s3:// address.</param>
    public async Task<Release> DescribeAsync(string date, CancellationToken ct)
    {
        if (MirrorAddress.IsAddress(date)) return await mirrors.DescribeAsync(date, ct);
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
        if (release.Address is not null) return await mirrors.OpenAsync(release, offset, ct);
        var request = new GetObjectRequest { BucketName = bucket, Key = release.Key };
        if (offset > 0) request.ByteRange = new ByteRange(offset, release.Size - 1);
        var response = await Call(() => s3.GetObjectAsync(request, ct), $"read {release.Key} from");
        return response.ResponseStream;
    }

    /// <summary>S3's refusals as one clear message: what was asked, where, and what to do.</summary>
    private async Task<T> Call<T>(Func<Task<T>> call, string what, string? release = null, bool passForbidden = false)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.Forbidden && passForbidden)
        {
            throw;
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
