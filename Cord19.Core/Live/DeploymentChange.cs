using System.Text.Json.Serialization;
using Cord19.Core.Deployments;

namespace Cord19.Core.Live;

/// <summary>
/// Something changed in a deployment. Pages apply log lines directly and re-read the snapshot otherwise.
/// Serialisable (with its kind) so that it can travel between app instances.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(PhaseRunChanged), "run")]
[JsonDerivedType(typeof(LogLineAdded), "log")]
[JsonDerivedType(typeof(ResourcesChanged), "resources")]
[JsonDerivedType(typeof(SettingsChanged), "settings")]
public abstract record DeploymentChange(Guid DeploymentId);

/// <summary>A run was requested, started, finished or interrupted; the set of runnable phases may have changed.</summary>
public sealed record PhaseRunChanged(Guid DeploymentId, PhaseRunView Run) : DeploymentChange(DeploymentId);

/// <summary>A phase run wrote a line to its step log.</summary>
public sealed record LogLineAdded(Guid DeploymentId, LogLine Line) : DeploymentChange(DeploymentId);

/// <summary>A resource was created or deleted.</summary>
public sealed record ResourcesChanged(Guid DeploymentId) : DeploymentChange(DeploymentId)
{
    /// <summary>
    /// Any deployment may have changed unseen (the cross-instance feed lost PostgreSQL, or another instance could not send
    /// its changes): whoever follows the changes reads the state again.
    /// </summary>
    public static readonly ResourcesChanged ReadAgain = new(Guid.Empty);
}

/// <summary>Settings were saved; estimates and previews may change.</summary>
public sealed record SettingsChanged() : DeploymentChange(Guid.Empty);
