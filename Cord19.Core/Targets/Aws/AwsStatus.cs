namespace Cord19.Core.Targets.Aws;

/// <summary>One look at an AWS deployment's running parts; <see cref="Problem"/> says why the last look failed (earlier figures kept).</summary>
public sealed record AwsStatus(
    Guid DeploymentId,
    string Region,
    InstanceState? Instance,
    string? AirflowHealth,
    ClusterState? Cluster,
    double? InstanceCpuPercent,
    double? ClusterCpuPercent,
    DateTimeOffset At,
    string? Problem)
{
    /// <summary>
    /// About when a running instance ends itself (<see cref="InstanceEndOfLife.Deadline"/>): its launch plus the maximum
    /// lifetime phase 1 gave it; null without one, or before EC2 says when it launched.
    /// </summary>
    public DateTimeOffset? InstanceEndsAt { get; init; }

    /// <summary>The running instance replaced the one phase 3 set up, so its Airflow has no DAGs yet (<see cref="DagsOnInstance"/>).</summary>
    public bool AwaitsPhaseThree { get; init; }
}
