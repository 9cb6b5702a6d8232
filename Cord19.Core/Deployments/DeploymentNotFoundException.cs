namespace Cord19.Core.Deployments;

/// <summary>A deployment asked for by its id that the state database does not hold.</summary>
public sealed class DeploymentNotFoundException(Guid id)
    : Cord19Exception($"No deployment {id} is recorded here: pick one of the Costs page's deployments.")
{
    public override FailureKind Failure => FailureKind.NotFound;
    public override string Title => "No such deployment";
}
