namespace Cord19.Core.Pipeline;

/// <summary>Where pipeline code reports its steps: a phase's step log, or the console of the pipeline program.</summary>
public interface IStepRecorder
{
    /// <param name="checkpointed">True when the step leaves its output on disk, so a resumed run may skip it.</param>
    Task StepAsync(string step, Func<CancellationToken, Task> body, bool checkpointed = false);

    Task LogAsync(string message);
}

/// <summary>Runs steps without recording them (tests, benchmarks).</summary>
public sealed class UnrecordedSteps(CancellationToken cancellation = default) : IStepRecorder
{
    public Task StepAsync(string step, Func<CancellationToken, Task> body, bool checkpointed = false) => body(cancellation);
    public Task LogAsync(string message) => Task.CompletedTask;
}
