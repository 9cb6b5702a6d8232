using Cord19.Core.Deployments;
using Cord19.Core.Settings;

namespace Cord19.Core.Execution;

/// <summary>
/// A deployment's resources stay where phase 1 put them: its later phases (de-allocation above all), its dry run
/// and its status run on the deployment's target and region even if Settings changed since, or they would look
/// for its resources in the wrong place.
/// </summary>
public static class DeploymentPinning
{
    public static PipelineSettings Pin(Deployment deployment, PipelineSettings settings) =>
        settings with { Target = deployment.Target, AwsRegion = deployment.Region ?? settings.AwsRegion };

    /// <summary>Where the next phase runs: on the live deployment's target, or on Settings' when none is live (phase 1 starts one there).</summary>
    public static async Task<DeploymentTarget> NextPhaseTargetAsync(DeploymentStore store, PipelineSettings settings, CancellationToken ct) =>
        await store.GetWithRunsAsync(ct: ct) is { Deployment: { HasEnded: false } live } ? live.Target : settings.Target;
}
