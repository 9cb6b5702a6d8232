namespace Cord19.Core.Execution;

/// <summary>
/// Which app instance runs a phase. At start-up an instance interrupts only the runs it owned (and runs no
/// instance had started), so that with PostgreSQL one instance's restart does not cut another's phase off.
/// CORD19_INSTANCE names the instance; the machine name otherwise.
/// </summary>
public sealed record RunnerIdentity(string? Configured)
{
    public const string EnvironmentVariable = "CORD19_INSTANCE";

    public string Name { get; } = string.IsNullOrWhiteSpace(Configured) ? Environment.MachineName : Configured.Trim();
}
