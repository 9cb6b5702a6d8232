namespace Cord19.Core.Phases;

/// <summary>The state of one phase in a deployment, taken from its latest run.</summary>
public enum PhaseStatus
{
    NotStarted,
    Running,
    Succeeded,
    Failed,
    /// <summary>The run stopped without finishing: the app restarted, or de-allocation cancelled it.</summary>
    Interrupted,
}
