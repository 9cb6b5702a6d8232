using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using LogLevel = Cord19.Core.Deployments.LogLevel;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Outside phase 2, a running Redshift cluster only bills node-hours: phase 2 pauses it at its end and on its way out.
/// Two cases escape that, and this catches both by pausing the live deployment's cluster when it is available and no
/// phase 2 or 7 runs anywhere: a panel killed inside phase 2 (checked at start-up), and a phase 2 that stopped while
/// the cluster was still being created, which cannot be paused until it is available (checked every
/// <see cref="Interval"/> while the panel runs). Running phase 2 again resumes the cluster.
/// </summary>
public sealed class IdleClusterGuard(IAwsCloudFactory clouds, DeploymentStore store, SettingsStore settingsStore)
{
    /// <summary>A cluster takes minutes to become available; a look costs one DescribeClusters, and none without a cluster.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>One look; true when it paused the cluster. Throws <see cref="Cord19Exception"/> when AWS cannot be asked.</summary>
    public async Task<bool> CheckAsync(CancellationToken ct)
    {
        if (await store.GetWithRunsAsync(ct: ct) is not { Deployment: { HasEnded: false, Target: DeploymentTarget.Aws } deployment, Runs: var runs })
            return false;
        // The deployment comes with its ledger: no second read, and no AWS call without a cluster in it.
        var ledger = deployment.Resources.Where(r => r.DeletedAt is null).Select(ResourceView.From).ToList();
        if (UsesCluster(runs) || !ledger.Any(r => r.Kind == AwsResourceKinds.Cluster)) return false;
        var settings = DeploymentPinning.Pin(deployment, await settingsStore.GetAsync(ct));
        return await clouds.WithCloudAsync(settings.AwsRegion, cloud => PauseIfIdleAsync(cloud, ledger, runs, ct));
    }

    /// <summary>
    /// The look itself, with the deployment's cloud and its live <paramref name="ledger"/> (start-up reconciliation has
    /// both at hand, the ledger as it has just mended it).
    /// </summary>
    internal async Task<bool> PauseIfIdleAsync(IAwsCloud cloud, IReadOnlyList<ResourceView> ledger, IReadOnlyList<PhaseRun> runs, CancellationToken ct)
    {
        if (UsesCluster(runs)) return false;
        if (ledger.FirstOrDefault(r => r.Kind == AwsResourceKinds.Cluster) is not { } cluster
            || await cloud.PauseIfAvailableAsync(cluster.Locator, ct) is not { Status: "available" })
            return false;
        foreach (var compute in ledger.Where(r => r.Kind == AwsResourceKinds.ClusterCompute))
            await store.MarkResourceDeletedAsync(compute.Id, ct);
        var lastWarehouseRun = runs.LastOrDefault(r => r.PhaseNumber == Phase.Warehouse) ?? runs.Last();
        await store.AppendLogAsync(lastWarehouseRun.Key, LogLevel.Warning, "idle-cluster",
            $"Cluster {cluster.Locator} was running with no phase 2 to use it (the panel stopped inside phase 2, or phase 2 stopped while the " +
            "cluster was being created): paused, so it bills its managed storage only. Running phase 2 again resumes it.", ct: ct);
        return true;
    }

    /// <summary>Phase 2 uses the cluster (another instance's phase 2 keeps its cluster); phase 7 is deleting it.</summary>
    private static bool UsesCluster(IReadOnlyList<PhaseRun> runs) =>
        runs.Any(r => r.Status == PhaseStatus.Running && r.PhaseNumber is Phase.Warehouse or Phase.Deallocation);
}
