namespace Cord19.Core.Deployments;

/// <summary>
/// One life of the pipeline's infrastructure, from phase 1 to de-allocation. A new deployment starts when
/// phase 1 runs after the previous one was de-allocated, so the history of every past deployment is kept.
/// </summary>
public sealed class Deployment
{
    public Guid Id { get; set; } = Guid.NewGuid();

    /// <summary>Where the phases run; fixed when phase 1 creates the deployment, whatever Settings say later.</summary>
    public required DeploymentTarget Target { get; set; }

    /// <summary>The AWS region its resources live in (null on the local target); fixed like <see cref="Target"/>.</summary>
    public string? Region { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Set when de-allocation succeeded; the deployment then holds no live resource.</summary>
    public DateTime? EndedAt { get; set; }

    public bool HasEnded => EndedAt is not null;

    /// <summary>When the budget guard started de-allocation; set once, so the guard fires once per deployment.</summary>
    public DateTime? GuardTrippedAt { get; set; }

    /// <summary>Why the guard fired, in words for the page.</summary>
    public string? GuardReason { get; set; }

    public List<PhaseRun> Runs { get; set; } = [];
    public List<DeployedResource> Resources { get; set; } = [];
}
