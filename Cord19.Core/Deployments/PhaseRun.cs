using Cord19.Core.Phases;

namespace Cord19.Core.Deployments;

/// <summary>One attempt at one phase. A phase's status is the status of its latest run.</summary>
public sealed class PhaseRun
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid DeploymentId { get; set; }
    public int PhaseNumber { get; set; }
    public PhaseStatus Status { get; set; }

    /// <summary>True when the run skips the steps that an interrupted or failed run of the same phase completed.</summary>
    public bool Resume { get; set; }

    /// <summary>De-allocation only: also delete the results.</summary>
    public bool DeleteResults { get; set; }

    public DateTime RequestedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }

    /// <summary>Why the run failed or was interrupted, in words a user can act on.</summary>
    public string? Reason { get; set; }

    /// <summary>The app instance that started the run (see <see cref="Execution.RunnerIdentity"/>); null while queued.</summary>
    public string? Owner { get; set; }

    /// <summary>Who asked for the run when it was not a person, e.g. the budget guard, and why.</summary>
    public string? RequestedBy { get; set; }

    /// <summary>The settings the run used, as JSON, so a result can be traced to its parameters.</summary>
    public string? SettingsJson { get; set; }

    public List<StepLogEntry> Log { get; set; } = [];

    public RunKey Key => new(Id, DeploymentId, PhaseNumber);
}

/// <summary>What identifies a run to the store and the change stream.</summary>
public readonly record struct RunKey(Guid Id, Guid DeploymentId, int PhaseNumber);
