using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// S3 refused a call to the deployment's bucket and the account has no bucket of that name: it was deleted, and its name
/// (in S3's global namespace) may now be another account's, or the panel runs with another account's credentials.
/// </summary>
public sealed class BucketNotOwnedException(AccountBucket bucket, AwsException refusal) : Cord19Exception(
    $"S3 refused {refusal.Action} on s3://{bucket.Name}: account {bucket.Account} has no bucket of that name any more, and the panel " +
    "uses it only as that account's (S3's bucket owner condition), so nothing was read from it or written to it. Either it was deleted " +
    "outside the panel, and in S3's global namespace its name may since be another account's, or the panel now runs with another " +
    "account's credentials. Check the account on the AWS page; to go on, run phase 7 (it keeps the results already copied here), then " +
    "phase 1: a new deployment has a new bucket.", refusal)
{
    public override FailureKind Failure => FailureKind.Conflict;
    public override string Title => "The deployment's bucket is not this account's";
}
