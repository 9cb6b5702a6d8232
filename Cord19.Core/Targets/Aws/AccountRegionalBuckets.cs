namespace Cord19.Core.Targets.Aws;

/// <summary>
/// S3's account regional namespace (March 2026, "Namespaces for general purpose buckets" in the S3 user guide): a bucket
/// named <c>prefix-{account}-{region}-an</c> and created with <c>x-amz-bucket-namespace: account-regional</c> can only
/// ever be this account's. In S3's global namespace a deleted bucket's name is free for anyone to create again, and AWS
/// says not to rely on a naming convention for security: an instance phase 7 could not end, still writing its results
/// and fetching its program by the bucket's name, would reach whoever took the name next.
/// </summary>
public static class AccountRegionalBuckets
{
    /// <summary>The regions the user guide names as lacking the namespace: Middle East (Bahrain) and (UAE).</summary>
    private static readonly IReadOnlySet<string> RegionsWithout = new HashSet<string>(StringComparer.Ordinal) { "me-south-1", "me-central-1" };

    public static bool OfferedIn(string region) => !RegionsWithout.Contains(region);

    /// <summary>The suffix S3 requires of a name in <paramref name="account"/>'s namespace in <paramref name="region"/>.</summary>
    public static string Suffix(string account, string region) => $"-{account}-{region}-an";
}
