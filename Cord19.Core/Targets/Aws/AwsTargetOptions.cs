namespace Cord19.Core.Targets.Aws;

/// <summary>How the AWS target waits and where it finds what it ships to the instance.</summary>
public sealed record AwsTargetOptions
{
    public const string BundleVariable = "CORD19_PIPELINE_BUNDLE";

    /// <summary>Between two looks at something AWS is still doing (an instance starting, a cluster being created).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan InstanceStartLimit { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>pip installing Airflow on first boot is most of this.</summary>
    public TimeSpan AirflowReadyLimit { get; init; } = TimeSpan.FromMinutes(30);

    public TimeSpan ClusterLimit { get; init; } = TimeSpan.FromMinutes(40);
    public TimeSpan CommandLimit { get; init; } = TimeSpan.FromMinutes(20);
    public TimeSpan DagRunLimit { get; init; } = TimeSpan.FromHours(12);
    public TimeSpan DeletionLimit { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The published cord19-pipeline for linux-x64 (a folder), shipped to the instance in phase 3: nothing is
    /// compiled there. Null: CORD19_PIPELINE_BUNDLE, else the data directory's pipeline-linux-x64, published there
    /// by phase 3 when the panel runs from its source tree (<see cref="PipelineBundle.EnsureAsync"/>).
    /// </summary>
    public string? PipelineBundle { get; init; }

    /// <summary>This machine's public IPv4 address as AWS sees it; used when Settings give no operator address.</summary>
    public Func<CancellationToken, Task<string>> LookUpPublicAddress { get; init; } = OperatorAddress.LookUpAsync;
}
