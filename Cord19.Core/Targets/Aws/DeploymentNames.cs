namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The names the AWS target derives from the deployment id alone: enough for whatever does not touch the bucket (the
/// status, the Airflow client, the password rotation), with no account to look up. Deterministic names are what make a
/// phase resumable and a crash recoverable: the name is recorded before the create call, and a second attempt finds
/// what the first one made.
/// </summary>
public record DeploymentNames(Guid DeploymentId)
{
    protected string Short => ResourceTags.Short(DeploymentId);

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

    /// <summary>RunInstances' idempotency token for the deployment's first instance: a repeated launch finds it, never starts a second one.</summary>
    public string InstanceClientToken => $"cord19-{DeploymentId}-airflow";

    /// <summary>
    /// The token of the instance that replaces <paramref name="endedInstanceId"/> (a spot interruption, its lifetime): a
    /// new token, since EC2 answers a token it has seen with that token's instance even once terminated, and one fixed by
    /// what it replaces, so a repeated launch of the replacement finds it too. 59 characters; EC2 takes 64.
    /// </summary>
    public string ReplacementClientToken(string endedInstanceId) => $"cord19-{DeploymentId:N}-{endedInstanceId}";

    /// <summary>Whether an instance launched under <paramref name="clientToken"/> replaced another: any token but the first instance's.</summary>
    public bool IsReplacement(string? clientToken) => clientToken is not null && clientToken != InstanceClientToken;

    public string ResultsPrefix => "results/";
    public string DeployPrefix => "deploy/";

    /// <summary>Where phase 2's UNLOAD writes the data lake's metadata (gzip CSV with a header; one file, PARALLEL OFF).</summary>
    public string ExportPrefix => "exports/metadata_";
    public string ExportKey => ExportPrefix + "000.gz";
}
