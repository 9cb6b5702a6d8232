using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>The live AWS deployment as a look at it from the background needs it: with its runs and the settings it is pinned to.</summary>
public sealed record LiveAwsDeployment(Deployment Deployment, IReadOnlyList<PhaseRun> Runs, PipelineSettings Settings)
{
    /// <summary>Its live resources, read with it: no second read of the ledger.</summary>
    public IReadOnlyList<ResourceView> Ledger => [.. Entries.Where(r => r.DeletedAt is null)];

    /// <summary>Every entry of its ledger, ended ones included (a cluster's earlier running periods).</summary>
    public IReadOnlyList<ResourceView> Entries => [.. Deployment.Resources.Select(ResourceView.From)];

    /// <summary>Null when no deployment is live on AWS (none, one that has ended, or a local one).</summary>
    public static async Task<LiveAwsDeployment?> ReadAsync(DeploymentStore store, SettingsStore settings, CancellationToken ct) =>
        await store.GetWithRunsAsync(ct: ct) is { Deployment: var deployment, Runs: var runs } ? Of(deployment, runs, await settings.GetAsync(ct)) : null;

    /// <summary>The same from a deployment already read (the cost meter's); null unless it is live on AWS.</summary>
    public static LiveAwsDeployment? Of(Deployment deployment, IReadOnlyList<PhaseRun> runs, PipelineSettings settings) =>
        deployment is { HasEnded: false, Target: DeploymentTarget.Aws } ? new(deployment, runs, DeploymentPinning.Pin(deployment, runs, settings)) : null;
}
