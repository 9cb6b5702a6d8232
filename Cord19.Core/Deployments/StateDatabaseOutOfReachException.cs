namespace Cord19.Core.Deployments;

/// <summary>
/// PostgreSQL stayed out of reach through every retry of the state's reads and writes (<see cref="StateDatabase"/>'s
/// strategy throws it in place of EF Core's RetryLimitExceededException): a failure a person acts on like any other, so
/// each boundary (the phase job, the API, a page) shows its message.
/// </summary>
public sealed class StateDatabaseOutOfReachException(Exception inner) : Cord19Exception(StateDatabaseFailure.OutOfReach, inner)
{
    public override FailureKind Failure => FailureKind.Unavailable;
    public override string Title => "The state database is out of reach";
    public override TimeSpan? RetryAfter => TimeSpan.FromSeconds(30);
}
