namespace Cord19.Core.Results;

/// <summary>
/// Where results go when they go to S3 instead of the local folder: CORD19_S3_BUCKET (required),
/// CORD19_S3_PREFIX, CORD19_S3_REGION (default us-east-2) and CORD19_S3_ENDPOINT for an S3-compatible
/// server such as MinIO. CORD19_S3_ACCESS_KEY_ID and CORD19_S3_SECRET_ACCESS_KEY give that server its own keys,
/// so the AWS SDK's standard chain (AWS_ACCESS_KEY_ID, profiles, SSO) stays free for the AWS target.
/// </summary>
public sealed record S3Location(string Bucket, string Prefix, string Region, string? Endpoint, Amazon.Runtime.AWSCredentials? Credentials = null)
{
    public static S3Location? FromEnvironment(Func<string, string?> get)
    {
        var bucket = get("CORD19_S3_BUCKET");
        if (string.IsNullOrWhiteSpace(bucket)) return null;
        var keys = get("CORD19_S3_ACCESS_KEY_ID") is { Length: > 0 } id && get("CORD19_S3_SECRET_ACCESS_KEY") is { Length: > 0 } secret
            ? new Amazon.Runtime.BasicAWSCredentials(id.Trim(), secret.Trim())
            : null;
        return new S3Location(bucket.Trim(), get("CORD19_S3_PREFIX")?.Trim() ?? "", get("CORD19_S3_REGION") is { Length: > 0 } r ? r.Trim() : "us-east-2",
            get("CORD19_S3_ENDPOINT") is { Length: > 0 } e ? e.Trim() : null, keys);
    }

    public IObjectStore Open() => new S3ObjectStore(S3ObjectStore.CreateClient(Endpoint, Region, Credentials), Bucket, Prefix);
}
