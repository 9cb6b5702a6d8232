using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;

namespace Cord19.Core.Execution;

/// <summary>What phase 7 would delete now, and the word a person must type to confirm it on AWS.</summary>
public sealed record DeallocationPlan(Guid DeploymentId, DeploymentTarget Target, string? Region, string? ConfirmationWord, IReadOnlyList<PlannedDeletion> Items);

/// <summary>De-allocation's dry run for the current deployment, on the deployment's own target and region.</summary>
public sealed class DeallocationPlanner(DeploymentStore store, SettingsStore settingsStore, IEnumerable<ITarget> targets)
{
    /// <summary>Null when there is no live deployment.</summary>
    public async Task<DeallocationPlan?> PlanAsync(CancellationToken ct)
    {
        if (await store.GetWithRunsAsync(ct: ct) is not { } found || found.Deployment.HasEnded) return null;
        var settings = DeploymentPinning.Pin(found.Deployment, found.Runs, await settingsStore.GetAsync(ct));
        var target = targets.FirstOrDefault(t => t.Kind == settings.Target)
            ?? throw new PhaseFailedException($"The '{settings.Target.Name()}' target is not available in this build.");
        var ledger = await store.GetLiveResourcesAsync(found.Deployment.Id, ct);
        var items = await target.PlanDeallocationAsync(found.Deployment.Id, settings, ledger, ct);
        var aws = settings.Target == DeploymentTarget.Aws;
        return new DeallocationPlan(found.Deployment.Id, settings.Target, aws ? settings.AwsRegion : null,
            ConfirmationWordFor(found.Deployment), items);
    }

    /// <summary>On AWS a person types the deployment's name to de-allocate it (money and data are at stake); locally no word is asked.</summary>
    public static string? ConfirmationWordFor(Deployment deployment) =>
        deployment.Target == DeploymentTarget.Aws ? ResourceTags.Name(deployment.Id) : null;
}
