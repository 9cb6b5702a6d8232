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
    string? Problem);
