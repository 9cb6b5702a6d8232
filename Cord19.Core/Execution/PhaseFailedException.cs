namespace Cord19.Core.Execution;

/// <summary>A phase cannot go on for a reason the user can fix. The message names the cause and the fix.</summary>
public sealed class PhaseFailedException(string message, Exception? inner = null) : Cord19Exception(message, inner)
{
    public override FailureKind Failure => FailureKind.Conflict;
    public override string Title => "Not possible now";
}
