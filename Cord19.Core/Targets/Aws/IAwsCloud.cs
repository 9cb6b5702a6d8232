namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The AWS operations the AWS target needs, in its own words; <see cref="AwsCloud"/> does them against an account
/// (SDK clients and the hand-signed client). This is the seam the target's tests fake: ordering, idempotency,
/// resumption and teardown are tested against it, and the requests behind it against the botocore models.
/// Every method throws <see cref="Cord19.Core.Aws.AwsException"/> on failure; "find" methods return null for "not there".
/// </summary>
public interface IAwsCloud
{
    string Region { get; }

    Task<AwsIdentity> WhoAmIAsync(CancellationToken ct);

    // Storage (S3)
    /// <summary>
    /// Creates, blocks public access, encrypts by default, refuses requests without TLS, tags; returns the hardening calls
    /// the S3 server did not take (none on AWS): not implemented, or the TLS-only policy on a plain-HTTP endpoint. A name
    /// another account holds is an <see cref="Cord19.Core.Aws.AwsException"/> with S3's code, BucketAlreadyExists.
    /// </summary>
    /// <param name="inAccountNamespace">Created in the account's own namespace (<see cref="AccountRegionalBuckets"/>).</param>
    Task<IReadOnlyList<string>> EnsureBucketAsync(AccountBucket bucket, bool inAccountNamespace, IReadOnlyDictionary<string, string> tags, CancellationToken ct);
    /// <summary>Whether this account has a bucket of that name; another account's of the same name is not this deployment's.</summary>
    Task<bool> OwnsBucketAsync(string bucket, CancellationToken ct);
    /// <summary>The region a bucket lives in (any account's bucket), or null when S3 will not say.</summary>
    Task<string?> BucketRegionAsync(string bucket, CancellationToken ct);
    /// <summary>Whether anything is stored under a prefix (any account's bucket); null when S3 will not say (denied).</summary>
    Task<bool?> HasObjectsAsync(string bucket, string prefix, CancellationToken ct);
    // The deployment's own bucket: S3 refuses each of these calls (a BucketNotOwnedException) when the bucket is
    // not the expected account's. A presigned link cannot carry that condition; the upload before it did.
    /// <summary>The size of an object in bytes, or null when there is none.</summary>
    Task<long?> ObjectSizeAsync(AccountBucket bucket, string key, CancellationToken ct);
    Task UploadAsync(AccountBucket bucket, string key, Stream content, CancellationToken ct);
    string PresignGet(AccountBucket bucket, string key, TimeSpan validFor);
    /// <summary>Empties and deletes the bucket; nothing when this account has no bucket of that name.</summary>
    Task DeleteBucketAsync(AccountBucket bucket, CancellationToken ct);

    /// <summary>The objects under a prefix of the bucket, as the result store reads them.</summary>
    Results.IObjectStore Objects(AccountBucket bucket, string prefix);

    // Secrets (SSM Parameter Store)
    Task PutSecretAsync(string name, string value, IReadOnlyDictionary<string, string> tags, CancellationToken ct);
    Task<string?> GetSecretAsync(string name, CancellationToken ct);
    Task DeleteSecretAsync(string name, CancellationToken ct);

    // Identity (IAM)
    Task<IamRole?> FindRoleAsync(string name, CancellationToken ct);
    Task<bool> InstanceProfileReadyAsync(string name, CancellationToken ct);
    /// <summary>
    /// Creates what is missing of the role (trust, inline policy, instance profile) with <paramref name="account"/>'s role
    /// boundary, which it also sets on a role made before the boundary was; keeps what is there. Returns the role's ARN.
    /// </summary>
    Task<string> EnsureRoleAsync(RoleSpec spec, string account, CancellationToken ct);
    /// <summary>Whether <paramref name="account"/> has the role boundary (<see cref="RoleBoundary"/>), and with this version's grants.</summary>
    Task<RoleBoundaryState> RoleBoundaryAsync(string account, CancellationToken ct);
    /// <summary>Deletes a role with its inline policies and its instance profile; nothing when it is gone.</summary>
    Task DeleteRoleAsync(string name, CancellationToken ct);
    /// <summary>
    /// The actions IAM's policy simulator says the principal may not perform: an action of a probe is allowed when it is
    /// allowed on one of the probe's resources, and denied when any probe that names it is denied.
    /// </summary>
    Task<IReadOnlyList<DeniedAction>> DeniedActionsAsync(string principalArn, IReadOnlyList<PermissionProbe> probes, CancellationToken ct);

    // Network (EC2)
    Task<string> DefaultVpcAsync(CancellationToken ct);
    /// <summary>The default VPC's default subnets, where RunInstances without a subnet lands.</summary>
    Task<IReadOnlyList<DefaultSubnet>> DefaultSubnetsAsync(CancellationToken ct);
    /// <summary>The region's VPC Block Public Access, with the exclusions in force (none asked for while it is off).</summary>
    Task<VpcPublicAccessBlock> VpcPublicAccessBlockAsync(CancellationToken ct);
    Task<string?> FindSecurityGroupAsync(string name, string vpcId, CancellationToken ct);
    Task<string> CreateSecurityGroupAsync(string name, string description, string vpcId, IReadOnlyDictionary<string, string> tags, CancellationToken ct);
    /// <summary>Opens <paramref name="port"/> to <paramref name="cidr"/>, the rule described as <paramref name="description"/> (who opened it); nothing when it is open already.</summary>
    Task AllowIngressAsync(string groupId, int port, string cidr, string description, CancellationToken ct);
    /// <summary>Closes <paramref name="port"/> to <paramref name="cidr"/>; nothing when it was not open to it.</summary>
    Task RevokeIngressAsync(string groupId, int port, string cidr, CancellationToken ct);
    /// <summary>The group <paramref name="groupName"/> and the IPv4 ranges it admits on <paramref name="port"/>; null when there is no such group.</summary>
    Task<GroupIngress?> IngressAsync(string groupName, int port, CancellationToken ct);
    Task DeleteSecurityGroupAsync(string groupId, CancellationToken ct);

    // Compute (EC2, SSM)
    Task<string> UbuntuImageAsync(CancellationToken ct);
    Task<InstanceState> RunSpotInstanceAsync(InstanceSpec spec, CancellationToken ct);
    /// <summary>Every instance tagged with the deployment, newest first, terminated ones included (EC2 lists them for about an hour).</summary>
    Task<IReadOnlyList<InstanceState>> FindInstancesAsync(Guid deploymentId, CancellationToken ct);
    /// <summary>The tail of the instance's console (its first-boot log), or null when EC2 has none yet.</summary>
    Task<string?> ConsoleOutputAsync(string instanceId, CancellationToken ct);
    Task TerminateInstanceAsync(string instanceId, CancellationToken ct);
    Task CancelSpotRequestAsync(string requestId, CancellationToken ct);
    Task DeleteVolumeAsync(string volumeId, CancellationToken ct);
    /// <summary>The current spot price in each zone that offers the type, cheapest first; none where it is not offered.</summary>
    Task<IReadOnlyList<ZoneSpotPrice>> SpotPricesAsync(string instanceType, CancellationToken ct);
    /// <summary>The spot price of one zone from <paramref name="since"/> on, oldest first, each change with its time (what the bill uses).</summary>
    Task<IReadOnlyList<Costs.PricePoint>> SpotPriceHistoryAsync(string instanceType, string availabilityZone, DateTime since, CancellationToken ct);
    Task<double?> SpotVcpuQuotaAsync(CancellationToken ct);

    /// <summary>Whether AWS's bill splits costs by the tag <paramref name="key"/>; null when Cost Explorer has not seen it on any resource.</summary>
    Task<CostAllocationTagState?> CostAllocationTagAsync(string key, CancellationToken ct);

    /// <summary>
    /// What AWS billed each service for the resources tagged <paramref name="key"/>=<paramref name="value"/> from
    /// <paramref name="from"/> up to, not including, <paramref name="until"/> (Cost Explorer's unblended cost; $0.01 a page).
    /// </summary>
    Task<IReadOnlyList<BilledService>> BilledAsync(string key, string value, DateOnly from, DateOnly until, CancellationToken ct);

    /// <summary>The on-demand rates of the Price List's products of <paramref name="serviceCode"/> matching every filter.</summary>
    Task<IReadOnlyList<ListedPrice>> ListedPricesAsync(string serviceCode, IReadOnlyList<PriceFilter> filters, CancellationToken ct);
    /// <summary>Every spot instance pending or running in the region, the panel's or not: what already uses the spot quota.</summary>
    Task<IReadOnlyList<RunningSpotInstance>> RunningSpotInstancesAsync(CancellationToken ct);
    /// <summary>What EC2 says of an instance type in the region; null when it does not know the type.</summary>
    Task<InstanceTypeFacts?> InstanceTypeAsync(string instanceType, CancellationToken ct);
    Task<bool> CommandAgentOnlineAsync(string instanceId, CancellationToken ct);
    /// <summary>
    /// Sends a shell script to the instance's SSM agent, which drops it when not delivered within <see cref="RunCommandLimits.Delivery"/>
    /// and ends it when still running after <see cref="RunCommandLimits.Execution"/>.
    /// </summary>
    Task<string> RunCommandAsync(string instanceId, IReadOnlyList<string> shellLines, RunCommandLimits limits, CancellationToken ct);
    Task<CommandState> GetCommandAsync(string commandId, string instanceId, CancellationToken ct);

    // Warehouse (Redshift, Redshift Data)
    Task CreateClusterAsync(ClusterSpec spec, CancellationToken ct);
    Task<ClusterState?> FindClusterAsync(string identifier, CancellationToken ct);
    Task DeleteClusterAsync(string identifier, CancellationToken ct);
    /// <summary>A paused cluster bills its managed storage only.</summary>
    Task PauseClusterAsync(string identifier, CancellationToken ct);
    Task ResumeClusterAsync(string identifier, CancellationToken ct);
    /// <summary>
    /// Has Redshift's scheduler pause the cluster at the schedule's time, whether or not the panel runs then: creates the
    /// one-time action, or replaces the one of that name.
    /// </summary>
    Task SchedulePauseAsync(PauseSchedule schedule, CancellationToken ct);
    /// <summary>Deletes a pause schedule; nothing when there is none.</summary>
    Task DeletePauseScheduleAsync(string name, CancellationToken ct);
    /// <summary>
    /// The manual snapshots of <paramref name="cluster"/>, or, when null, of every cluster named as this panel names them
    /// (<see cref="ResourceTags.IsName"/>): each bills as backup storage until it is deleted, cluster or not.
    /// </summary>
    Task<IReadOnlyList<ClusterSnapshot>> ManualSnapshotsAsync(string? cluster, CancellationToken ct);
    /// <summary>Deletes a manual snapshot; one already gone is not an error. Redshift refuses one still being taken (InvalidClusterSnapshotState).</summary>
    Task DeleteSnapshotAsync(string cluster, string snapshot, CancellationToken ct);
    /// <summary>Whether Redshift offers <paramref name="nodeType"/> in the region (DescribeOrderableClusterOptions).</summary>
    Task<bool> NodeTypeOrderableAsync(string nodeType, CancellationToken ct);
    Task<SqlResult> RunSqlAsync(string cluster, string database, string user, string sql, CancellationToken ct);

    // Data lake (Glue)
    Task<LakeTable?> FindLakeTableAsync(string database, string table, CancellationToken ct);

    // Metrics (CloudWatch): the latest 5-minute average CPU, or null without data.
    Task<double?> CpuAsync(string metricNamespace, string dimension, string id, CancellationToken ct);

    /// <summary>
    /// The end of the last 5-minute period with a CPU reading since <paramref name="since"/> (up to 60 days back), or
    /// null: EC2 and Redshift report CPU only while they run, so this is the latest a stopped one can have run until.
    /// </summary>
    Task<DateTimeOffset?> CpuReportedUntilAsync(string metricNamespace, string dimension, string id, DateTimeOffset since, CancellationToken ct);

    /// <summary>
    /// The start of the first 5-minute period with a CPU reading since <paramref name="since"/> (up to 60 days back), or
    /// null: the earliest a stopped one that started again can have run from.
    /// </summary>
    Task<DateTimeOffset?> CpuReportedFromAsync(string metricNamespace, string dimension, string id, DateTimeOffset since, CancellationToken ct);

    /// <summary>Every live resource carrying the project tag, or only one deployment's when <paramref name="deploymentId"/> is given.</summary>
    Task<IReadOnlyList<TaggedResource>> FindTaggedAsync(Guid? deploymentId, CancellationToken ct);
}

public static class AwsCloudExtensions
{
    /// <summary>The deployment's instance: the newest one that is not terminated, else the newest (to say why it ended).</summary>
    public static async Task<InstanceState?> FindInstanceAsync(this IAwsCloud cloud, Guid deploymentId, CancellationToken ct)
    {
        var instances = await cloud.FindInstancesAsync(deploymentId, ct);
        return instances.FirstOrDefault(i => i.State != "terminated") ?? instances.FirstOrDefault();
    }

    /// <summary>
    /// Pauses the cluster if it is available, the only state Redshift pauses from; the state it was found in (null: no
    /// such cluster), so the caller can say what happened.
    /// </summary>
    public static async Task<ClusterState?> PauseIfAvailableAsync(this IAwsCloud cloud, string identifier, CancellationToken ct)
    {
        var found = await cloud.FindClusterAsync(identifier, ct);
        if (found is { Status: "available" }) await cloud.PauseClusterAsync(identifier, ct);
        return found;
    }
}
