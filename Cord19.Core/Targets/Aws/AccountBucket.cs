namespace Cord19.Core.Targets.Aws;

/// <summary>
/// A bucket the deployment made, with the account that must own it. Every S3 call to it names that account as the
/// bucket's expected owner (S3's bucket owner condition), so S3 refuses the call when the name is another account's: a
/// name in S3's global namespace is anyone's to take once its bucket is deleted, and the instance runs what it fetches
/// from this bucket.
/// </summary>
public sealed record AccountBucket(string Name, string Account)
{
    public override string ToString() => Name;
}
