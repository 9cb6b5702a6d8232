namespace Cord19.Core.Execution;

/// <summary>
/// Where the phases take effect: this machine ("local") or an AWS account ("aws"). A target does the work of
/// one phase; the <see cref="PhaseRunner"/> around it owns status, logging, resumption and cancellation.
/// </summary>
public interface ITarget
{
    /// <summary>The name used in settings: "local" or "aws".</summary>
    string Name { get; }

    Task RunAsync(PhaseContext context);
}
