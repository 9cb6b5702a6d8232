using Cord19.Core.Phases;

namespace Cord19.Core.Deployments;

/// <summary>Everything a page needs to draw the current deployment, read in one go.</summary>
public sealed record DeploymentSnapshot(
    DeploymentView? Deployment,
    IReadOnlyList<PhaseState> Phases,
    IReadOnlyList<ResourceView> Resources)
{
    public PhaseState this[int phaseNumber] => Phases[phaseNumber - 1];
}

/// <param name="Region">The AWS region of its resources; null on the local target.</param>
public sealed record DeploymentView(Guid Id, DeploymentTarget Target, DateTime CreatedAt, DateTime? EndedAt, DateTime? GuardTrippedAt = null,
    string? GuardReason = null, string? Region = null)
{
    public static DeploymentView From(Deployment d) => new(d.Id, d.Target, d.CreatedAt, d.EndedAt, d.GuardTrippedAt, d.GuardReason, d.Region);

    public bool IsLiveOnAws => Target == DeploymentTarget.Aws && EndedAt is null;
}

/// <summary>A phase as it stands: its latest run, and why it cannot start now (null when it can).</summary>
public sealed record PhaseState(Phase Phase, PhaseStatus Status, PhaseRunView? LatestRun, string? WhyNot)
{
    public bool CanStart => WhyNot is null;

    /// <summary>A resume is offered when the latest run stopped part-way.</summary>
    public bool CanResume => CanStart && Status is PhaseStatus.Interrupted or PhaseStatus.Failed && !Phase.IsDeallocation;
}

public sealed record PhaseRunView(
    Guid Id, Guid DeploymentId, int PhaseNumber, PhaseStatus Status, bool Resume,
    DateTime RequestedAt, DateTime? StartedAt, DateTime? EndedAt, string? Reason)
{
    public static PhaseRunView From(PhaseRun r) =>
        new(r.Id, r.DeploymentId, r.PhaseNumber, r.Status, r.Resume, r.RequestedAt, r.StartedAt, r.EndedAt, r.Reason);

    public RunKey Key => new(Id, DeploymentId, PhaseNumber);
}

public sealed record LogLine(long Id, Guid RunId, int PhaseNumber, DateTime At, LogLevel Level, string Step, string Message);

public sealed record ResourceView(Guid Id, string Kind, string Locator, string? Description, DateTime CreatedAt, DateTime? DeletedAt)
{
    public static ResourceView From(DeployedResource r) => new(r.Id, r.Kind, r.Locator, r.Description, r.CreatedAt, r.DeletedAt);
}
