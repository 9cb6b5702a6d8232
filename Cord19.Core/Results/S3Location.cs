namespace Cord19.Core.Results;

/// <summary>
/// Where results go when they go to S3 instead of the local folder: CORD19_S3_BUCKET (required),
/// CORD19_S3_PREFIX, CORD19_S3_REGION (default us-east-2) and CORD19_S3_ENDPOINT for an S3-compatible
/// server such as MinIO. CORD19_S3_ACCESS_KEY_ID and CORD19_S3_SECRET_ACCESS_KEY give that server its own keys,
/// so the AWS SDK's standard chain (AWS_ACCESS_KEY_ID, profiles, SSO) stays free for the AWS target.
/// </summary>
public sealed record S3Location(string Bucket, string Prefix, string Region, string? Endpoint, Amazon.Runtime.AWSCredentials? Credentials = null)
{
    public IObjectStore Open() => new S3ObjectStore(S3ObjectStore.CreateClient(Endpoint, Region, Credentials), Bucket, Prefix);
}
