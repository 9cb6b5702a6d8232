namespace Cord19.Core.Execution;

/// <summary>Hands a requested run to the background job system (Hangfire in the web app), which calls <see cref="PhaseRunner.RunAsync"/>.</summary>
public interface IPhaseJobScheduler
{
    /// <returns>The job system's id for the job.</returns>
    string Enqueue(Guid runId);
}
