namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Every name the AWS target gives: those that follow from the deployment id (<see cref="DeploymentNames"/>) and the
/// bucket's, which needs the account and region too.
/// </summary>
public sealed record AwsNames(Guid DeploymentId, string Account, string Region) : DeploymentNames(DeploymentId)
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

    /// <summary>
    /// The deployment's bucket: in the account's own namespace where S3 offers it (<see cref="AccountRegionalBuckets"/>),
    /// else in the global one; a deployment that recorded another name (an earlier version's) keeps it.
    /// </summary>
    public string Bucket => RecordedBucket ?? (AccountRegionalBuckets.OfferedIn(Region) ? AccountRegionalBucket : $"cord19-{Short}-{Account}");

    /// <summary><see cref="Bucket"/> with the account every call to it expects as its owner.</summary>
    public AccountBucket AccountBucket => new(Bucket, Account);

    /// <summary>Whether <see cref="Bucket"/> is made in the account's own namespace, which CreateBucket must be told.</summary>
    public bool BucketInAccountNamespace => Bucket == AccountRegionalBucket;

    /// <summary>The bucket's name in the deployment's ledger, when it has one: the name it was made with stays its name.</summary>
    public string? RecordedBucket { get; init; }

    private string AccountRegionalBucket => $"cord19-{Short}{AccountRegionalBuckets.Suffix(Account, Region)}";

    /// <summary>The names of a deployment whose <paramref name="ledger"/> (its live resources) may hold its bucket's name already.</summary>
    public static AwsNames Of(Guid deploymentId, string account, string region, IEnumerable<Deployments.ResourceView> ledger) =>
        new(deploymentId, account, region) { RecordedBucket = ledger.FirstOrDefault(r => r.Kind == AwsResourceKinds.Bucket)?.Locator };

    /// <summary>Airflow's dag_run_id for a phase run: a retried or resumed phase finds its run instead of starting a second one.</summary>
    public static string DagRunId(Guid phaseRunId) => $"cord19__{phaseRunId:N}";
}
