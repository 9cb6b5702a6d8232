using Cord19.Core.Deployments;
using Cord19.Core.Settings;

namespace Cord19.Core.Execution;

/// <summary>
/// A deployment's resources stay where phase 1 put them: its later phases (de-allocation above all), its dry run
/// and its status run on the deployment's target and region even if Settings changed since, or they would look
/// for its resources in the wrong place. An AWS deployment keeps a maximum lifetime too: Settings switched to the local
/// target may have none, and then the longest its phase 1 runs gave the instance stands, for the budget guard and for
/// a replacement's first boot alike. Otherwise Settings' lifetime (and cap) stand, so either may be raised while it runs.
/// </summary>
public static class DeploymentPinning
{
    public static PipelineSettings Pin(Deployment deployment, IReadOnlyList<PhaseRun> runs, PipelineSettings settings) =>
        settings with
        {
            Target = deployment.Target,
            AwsRegion = deployment.Region ?? settings.AwsRegion,
            MaxLifetimeHours = settings.MaxLifetimeHours
                ?? (deployment.Target == DeploymentTarget.Aws ? Targets.Aws.InstanceEndOfLife.LifetimesGiven(runs).Max() : null),
        };

    /// <summary>Where the next phase runs: on the latest deployment's target while it is live, or on Settings' (phase 1 starts one there).</summary>
    public static DeploymentTarget NextPhaseTarget(Deployment? latest, PipelineSettings settings) =>
        latest is { HasEnded: false } live ? live.Target : settings.Target;

    /// <summary>The same, reading the latest deployment.</summary>
    public static async Task<DeploymentTarget> NextPhaseTargetAsync(DeploymentStore store, PipelineSettings settings, CancellationToken ct) =>
        NextPhaseTarget((await store.GetWithRunsAsync(ct: ct))?.Deployment, settings);
}
