namespace Cord19.Core.Deployments;

public enum LogLevel { Info, Warning, Error }

/// <summary>One line of a phase run's step log.</summary>
public sealed class StepLogEntry
{
    public long Id { get; set; }
    public Guid PhaseRunId { get; set; }
    public DateTime At { get; set; }
    public LogLevel Level { get; set; }

    /// <summary>The step the line belongs to, e.g. "tokenise"; completed steps are what a resume skips.</summary>
    public required string Step { get; set; }

    public required string Message { get; set; }

    /// <summary>Marks the line that records the completion of <see cref="Step"/>.</summary>
    public bool CompletesStep { get; set; }
}
