namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Every name the AWS target gives, derived from the deployment id (and the account and region for the bucket).
/// Deterministic names are what make a phase resumable and a crash recoverable: the name is recorded before the create
/// call, and a second attempt finds what the first one made.
/// </summary>
public sealed record AwsNames(Guid DeploymentId, string Account, string Region)
{
    public const string SpectrumRole = "cord19-redshift-spectrum";
    public const string SchedulerRole = "cord19-redshift-scheduler";
    public const string LakeDatabase = "covid-19";
    public const string LakeTable = "alleninstitute_metadata";
    public const string ExternalSchema = "covid19_lake";
    public const string Database = "cord19";
    public const string MasterUser = "cord19admin";
    public const string AirflowUser = "admin";
    public const int AirflowPort = 8080;

    private string Short => ResourceTags.Short(DeploymentId);

    /// <summary>
    /// The deployment's bucket: in the account's own namespace where S3 offers it (<see cref="AccountRegionalBuckets"/>),
    /// else in the global one; a deployment that recorded another name (an earlier version's) keeps it.
    /// </summary>
    public string Bucket => RecordedBucket ?? (AccountRegionalBuckets.OfferedIn(Region) ? AccountRegionalBucket : $"cord19-{Short}-{Account}");

    /// <summary>Whether <see cref="Bucket"/> is made in the account's own namespace, which CreateBucket must be told.</summary>
    public bool BucketInAccountNamespace => Bucket == AccountRegionalBucket;

    /// <summary>The bucket's name in the deployment's ledger, when it has one: the name it was made with stays its name.</summary>
    public string? RecordedBucket { get; init; }

    private string AccountRegionalBucket => $"cord19-{Short}{AccountRegionalBuckets.Suffix(Account, Region)}";

    /// <summary>The names of a deployment whose <paramref name="ledger"/> (its live resources) may hold its bucket's name already.</summary>
    public static AwsNames Of(Guid deploymentId, string account, string region, IEnumerable<Deployments.ResourceView> ledger) =>
        new(deploymentId, account, region) { RecordedBucket = ledger.FirstOrDefault(r => r.Kind == AwsResourceKinds.Bucket)?.Locator };

    public string AirflowSecurityGroup => $"cord19-{Short}-airflow";
    public string RedshiftSecurityGroup => $"cord19-{Short}-redshift";
    public string Cluster => ResourceTags.Name(DeploymentId);
    public string ClusterPauseSchedule => PauseScheduleOf(Cluster);

    /// <summary>
    /// A cluster's pause schedule is named after it, so whatever deletes a cluster (phase 7, the orphan sweep, which
    /// knows the cluster by its tags only) deletes its schedule too: Redshift's scheduled actions carry no tags.
    /// </summary>
    public static string PauseScheduleOf(string cluster) => $"{cluster}-pause";
    public string AirflowPasswordParameter => $"/cord19/{Short}/airflow-admin-password";
    public string AirflowTlsKeyParameter => $"/cord19/{Short}/airflow-tls-key";
    public string AirflowCertificateParameter => $"/cord19/{Short}/airflow-tls-certificate";

    /// <summary>The instance's own role and instance profile: it may read only this deployment's bucket and its Airflow's parameters.</summary>
    public string InstanceRole => $"cord19-{Short}-instance";

    /// <summary>Per-deployment roles live under this IAM path, so the sweep finds them (IAM has no tag search) and knows whose they are.</summary>
    public string RolePath => $"{AwsCloud.RolePath}{DeploymentId}/";

    /// <summary>
    /// What the instance reads at first boot and when the password is rotated, and all its role may read: not the Redshift
    /// password, which only the panel needs (the instance never talks to Redshift).
    /// </summary>
    public IReadOnlyList<string> InstanceParameters => [AirflowPasswordParameter, AirflowTlsKeyParameter, AirflowCertificateParameter];

    public string RedshiftPasswordParameter => $"/cord19/{Short}/redshift-admin-password";

    /// <summary>RunInstances' idempotency token: the same deployment never starts a second instance.</summary>
    public string InstanceClientToken => $"cord19-{DeploymentId}-airflow";

    public string ResultsPrefix => "results/";
    public string DeployPrefix => "deploy/";

    /// <summary>Where phase 2's UNLOAD writes the data lake's metadata (gzip CSV with a header; one file, PARALLEL OFF).</summary>
    public string ExportPrefix => "exports/metadata_";
    public string ExportKey => ExportPrefix + "000.gz";

    /// <summary>Airflow's dag_run_id for a phase run: a retried or resumed phase finds its run instead of starting a second one.</summary>
    public static string DagRunId(Guid phaseRunId) => $"cord19__{phaseRunId:N}";
}
