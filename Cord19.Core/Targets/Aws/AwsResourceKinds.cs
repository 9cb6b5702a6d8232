namespace Cord19.Core.Targets.Aws;

/// <summary>The ledger's kinds for AWS resources, and the order phase 7 deletes them in.</summary>
public static class AwsResourceKinds
{
    public const string Instance = "ec2-instance";            // locator: the RunInstances client token (found by the deployment's tag)
    public const string Cluster = "redshift-cluster";         // locator: the cluster identifier
    public const string SecurityGroup = "security-group";     // locator: the group name (in the default VPC)
    public const string Parameter = "ssm-parameter";          // locator: the parameter name
    public const string Bucket = "s3-bucket";                 // locator: the bucket name
    public const string Role = "iam-role";                    // locator: the role (and instance profile) name

    // A manual snapshot of the deployment's cluster (a final snapshot the console kept, one taken by hand). Found by its
    // cluster's name, not by tags: a snapshot need not carry its cluster's tags.
    public const string ClusterSnapshot = "redshift-snapshot"; // locator: "<cluster identifier>/<snapshot identifier>"

    public static string SnapshotLocator(string cluster, string snapshot) => $"{cluster}/{snapshot}";

    /// <summary>The cluster and the snapshot a snapshot's locator names.</summary>
    public static (string Cluster, string Snapshot) SnapshotOf(string locator) =>
        locator.IndexOf('/') is var slash and > 0 ? (locator[..slash], locator[(slash + 1)..]) : ("", locator);

    // Meters, not things to delete: the cluster's running periods (it bills node-hours only while not paused) and the
    // data lake scan of its export (Spectrum bills the bytes read). Each ends with the cluster.
    public const string ClusterCompute = "redshift-compute";  // locator: the cluster identifier
    public const string SpectrumScan = "spectrum-scan";       // locator: "<cluster identifier>/<bytes scanned>"

    public static string ScanLocator(string cluster, long bytes) => $"{cluster}/{bytes}";

    /// <summary>The cluster and the bytes a scan's locator names (null bytes when they do not read).</summary>
    public static (string Cluster, long? Bytes) ScanOf(string locator)
    {
        var slash = locator.LastIndexOf('/');
        return (locator[..Math.Max(0, slash)], long.TryParse(locator[(slash + 1)..], out var bytes) ? bytes : null);
    }

    /// <summary>The cluster a meter-only entry ends with; null for a kind AWS holds, which phase 7 deletes.</summary>
    public static string? MeteredCluster(string kind, string locator) => kind switch
    {
        ClusterCompute => locator,
        SpectrumScan => ScanOf(locator).Cluster,
        _ => null,
    };

    // Found by the tag sweep only: created by AWS on the instance's behalf, gone with it unless something failed.
    public const string SpotRequest = "spot-request";         // locator: the request id
    public const string Volume = "ebs-volume";                // locator: the volume id

    /// <summary>
    /// Dependency order: the instance and the cluster hold network interfaces in the security groups; the groups
    /// go once those are gone; the bucket last, since it holds the results until the very end. A cluster's snapshots
    /// after the cluster, so that a final snapshot a deletion in the console is still taking is there to be deleted.
    /// </summary>
    public static int DeletionOrder(string kind) => kind switch
    {
        Instance or SpotRequest => 0,
        Cluster => 1,
        Volume or ClusterSnapshot => 2,
        SecurityGroup => 3,
        Parameter or Role => 4,
        Bucket => 5,
        _ => 6,
    };
}
