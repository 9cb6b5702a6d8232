namespace Cord19.Core.Deployments;

/// <summary>What the user asked for when clicking a phase.</summary>
/// <param name="RequestedBy">Set when not a person asked, e.g. "Budget guard: cost $5.01 reached the $5.00 cap."</param>
/// <param name="Confirmation">What the person typed to confirm de-allocating an AWS deployment (its name).</param>
public sealed record RunRequest(int PhaseNumber, bool Resume = false, bool DeleteResults = false, string? RequestedBy = null, string? Confirmation = null);

/// <summary>The answer to a run request: the run that was created, or the reason none was.</summary>
public sealed record RunRequestOutcome(PhaseRunView? Run, string? Refusal, Guid? CancelledRunId = null)
{
    public bool Accepted => Run is not null;
    public static RunRequestOutcome Refused(string why) => new(null, why);
}
