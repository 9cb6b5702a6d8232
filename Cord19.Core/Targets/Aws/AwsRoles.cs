namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The IAM roles the phases need. The instance role is the deployment's own, so that the instance can read only its
/// deployment's bucket and its Airflow's parameters (phase 1 creates it, phase 7 deletes it). The Spectrum role is shared by every
/// deployment in the account (free, and slow to propagate when created), and so is the Redshift scheduler's: the
/// checklist creates them on request and phase 7 leaves them.
/// </summary>
public static class AwsRoles
{
    /// <summary>
    /// What the SSM agent needs for Run Command, instead of AmazonSSMManagedInstanceCore, whose ssm:GetParameter* on
    /// every parameter would let the instance read other deployments' passwords.
    /// </summary>
    public static readonly string[] SsmAgentActions =
    [
        "ssm:UpdateInstanceInformation", "ssm:ListInstanceAssociations", "ssm:DescribeAssociation", "ssm:UpdateInstanceAssociationStatus",
        "ssm:GetDocument", "ssm:DescribeDocument",
        "ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint",
        "ec2messages:GetMessages", "ec2messages:SendReply",
        "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
    ];

    /// <summary>
    /// The deployment's instance: the SSM agent, its own bucket, its Airflow's password, key and certificate; nothing else.
    /// The bucket only while it is this account's (aws:ResourceAccount): a bucket an earlier version named in S3's global
    /// namespace is anyone's to create once deleted, and an instance phase 7 could not end would go on using the name.
    /// </summary>
    public static RoleSpec InstanceFor(AwsNames names, string region) => new(
        names.InstanceRole, "ec2.amazonaws.com",
        $"CORD-19 Airflow instance of deployment {names.DeploymentId}: SSM Run Command, its bucket, its Airflow parameters",
        "cord19-instance-access",
        PolicyDocument.Of(
            new { Effect = "Allow", Action = SsmAgentActions, Resource = new[] { "*" } },
            new { Effect = "Allow", Action = new[] { "s3:ListBucket" }, Resource = new[] { $"arn:aws:s3:::{names.Bucket}" }, Condition = InAccount(names.Account) },
            new { Effect = "Allow", Action = new[] { "s3:GetObject", "s3:PutObject", "s3:DeleteObject" }, Resource = new[] { $"arn:aws:s3:::{names.Bucket}/*" },
                Condition = InAccount(names.Account) },
            new { Effect = "Allow", Action = new[] { "ssm:GetParameter" }, Resource = names.InstanceParameters.Select(p => $"arn:aws:ssm:{region}:{names.Account}:parameter{p}").ToArray() }),
        WithInstanceProfile: true,
        Path: names.RolePath);

    /// <summary>Who assumes the Spectrum role: Redshift, on the cluster's behalf.</summary>
    public const string RedshiftService = "redshift.amazonaws.com";

    /// <summary>
    /// Redshift Spectrum: read the Glue catalogue and AWS's public COVID-19 data lake; UNLOAD into the deployments' export
    /// folders. AWS's Spectrum page asks for GET and LIST on a bucket it reads or writes (its example grants s3:Get* and
    /// s3:List*): here the object reads and writes, and the bucket's list and region, each on its own buckets only, and
    /// the project's buckets only while they are <paramref name="account"/>'s (a `cord19-` name in S3's global namespace
    /// may be anyone's).
    /// </summary>
    public static RoleSpec SpectrumIn(string account) => new(
        AwsNames.SpectrumRole, RedshiftService,
        "CORD-19 Redshift Spectrum: the Glue catalogue, the COVID-19 data lake, the deployments' exports",
        "cord19-spectrum-access",
        PolicyDocument.Of(
            new { Effect = "Allow", Action = new[] { "glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition" }, Resource = new[] { "*" } },
            new { Effect = "Allow", Action = new[] { "s3:ListBucket", "s3:GetBucketLocation" }, Resource = new[] { $"arn:aws:s3:::{DataLakeCheck.LakeBucket}" } },
            new { Effect = "Allow", Action = new[] { "s3:GetObject" }, Resource = new[] { $"arn:aws:s3:::{DataLakeCheck.LakeBucket}/*" } },
            new { Effect = "Allow", Action = new[] { "s3:ListBucket", "s3:GetBucketLocation" }, Resource = new[] { "arn:aws:s3:::cord19-*" }, Condition = InAccount(account) },
            new { Effect = "Allow", Action = new[] { "s3:PutObject" }, Resource = new[] { "arn:aws:s3:::cord19-*/exports/*" }, Condition = InAccount(account) }),
        WithInstanceProfile: false,
        Path: AwsCloud.RolePath);

    /// <summary>
    /// Redshift's scheduler, which runs phase 2's one-time pause of a deployment's cluster (<see cref="PauseSchedule"/>)
    /// even when the panel is gone: PauseCluster on the project's clusters, nothing else.
    /// </summary>
    public static RoleSpec Scheduler { get; } = new(
        AwsNames.SchedulerRole, "scheduler.redshift.amazonaws.com",
        "CORD-19 Redshift scheduler: pauses a deployment's cluster that the panel has not paused in time",
        "cord19-scheduler-pause",
        PolicyDocument.Of(new { Effect = "Allow", Action = new[] { "redshift:PauseCluster" }, Resource = new[] { "arn:aws:redshift:*:*:cluster:cord19-*" } }),
        WithInstanceProfile: false,
        Path: AwsCloud.RolePath);

    private static Dictionary<string, Dictionary<string, string>> InAccount(string account) =>
        new() { ["StringEquals"] = new() { ["aws:ResourceAccount"] = account } };

    /// <summary>The roles shared by every deployment in <paramref name="account"/> (the checklist's lines and "Create the roles").</summary>
    public static IReadOnlyList<RoleSpec> SharedIn(string account) => [SpectrumIn(account), Scheduler];
}
