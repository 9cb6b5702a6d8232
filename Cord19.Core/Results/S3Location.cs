namespace Cord19.Core.Results;

/// <summary>
/// Where results go when they go to S3 instead of the local folder: CORD19_S3_BUCKET (required),
/// CORD19_S3_PREFIX, CORD19_S3_REGION (default us-east-2) and CORD19_S3_ENDPOINT for an S3-compatible
/// server such as MinIO.
/// </summary>
public sealed record S3Location(string Bucket, string Prefix, string Region, string? Endpoint)
{
    public static S3Location? FromEnvironment(Func<string, string?> get)
    {
        var bucket = get("CORD19_S3_BUCKET");
        if (string.IsNullOrWhiteSpace(bucket)) return null;
        return new S3Location(bucket.Trim(), get("CORD19_S3_PREFIX")?.Trim() ?? "", get("CORD19_S3_REGION") is { Length: > 0 } r ? r.Trim() : "us-east-2",
            get("CORD19_S3_ENDPOINT") is { Length: > 0 } e ? e.Trim() : null);
    }

    public IObjectStore Open() => new S3ObjectStore(S3ObjectStore.CreateClient(Endpoint, Region), Bucket, Prefix);
}
