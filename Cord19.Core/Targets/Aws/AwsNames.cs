namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Every name the AWS target gives, derived from the deployment id (and the account for the globally unique
/// bucket). Deterministic names are what make a phase resumable and a crash recoverable: the name is recorded
/// before the create call, and a second attempt finds what the first one made.
/// </summary>
public sealed record AwsNames(Guid DeploymentId, string Account)
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

    public string Bucket => $"cord19-{Short}-{Account}";
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
