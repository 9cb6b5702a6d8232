namespace Cord19.Core.Targets.Aws;

/// <summary>The ledger's kinds for AWS resources, and the order phase 7 deletes them in.</summary>
public static class AwsResourceKinds
{
    public const string Instance = "ec2-instance";            // locator: the RunInstances client token
    public const string Cluster = "redshift-cluster";         // locator: the cluster identifier
    public const string SecurityGroup = "security-group";     // locator: the group name (in the default VPC)
    public const string Parameter = "ssm-parameter";          // locator: the parameter name
    public const string Bucket = "s3-bucket";                 // locator: the bucket name

    // Found by the tag sweep only: created by AWS on the instance's behalf, gone with it unless something failed.
    public const string SpotRequest = "spot-request";         // locator: the request id
    public const string Volume = "ebs-volume";                // locator: the volume id

    /// <summary>
    /// Dependency order: the instance and the cluster hold network interfaces in the security groups; the groups
    /// go once those are gone; the bucket last, since it holds the results until the very end.
    /// </summary>
    public static int DeletionOrder(string kind) => kind switch
    {
        Instance or SpotRequest => 0,
        Cluster => 1,
        Volume => 2,
        SecurityGroup => 3,
        Parameter => 4,
        Bucket => 5,
        _ => 6,
    };
}
