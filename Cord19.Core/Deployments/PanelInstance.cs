namespace Cord19.Core.Deployments;

/// <summary>
/// A panel instance on this state database and when it last said it was alive (<see cref="Execution.InstanceLiveness"/>).
/// The phases of an instance silent for long are run by nobody; another instance marks them interrupted.
/// </summary>
public sealed class PanelInstance
{
    /// <summary>The instance's name (<see cref="Execution.RunnerIdentity"/>), as the runs it started record it.</summary>
    public required string Name { get; set; }

    public DateTime LastSeenAt { get; set; }
}
