namespace Cord19.Core.Deployments;

/// <summary>
/// Something a phase created that costs money or space until it is deleted: an EC2 instance, a Redshift
/// cluster, or locally a DuckDB file or a workspace folder. De-allocation deletes every one still live.
/// </summary>
public sealed class DeployedResource
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid DeploymentId { get; set; }
    public Guid PhaseRunId { get; set; }

    /// <summary>What it is, e.g. "workspace", "duckdb-database", "ec2-instance".</summary>
    public required string Kind { get; set; }

    /// <summary>Where to find it: a path, an ARN, an instance id. One live entry per deployment, kind and locator; ended ones stay.</summary>
    public required string Locator { get; set; }

    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }

    public bool IsLive => DeletedAt is null;
}
