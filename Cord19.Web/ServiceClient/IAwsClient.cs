using Cord19.Core.Targets.Aws;

namespace Cord19.Web.ServiceClient;

/// <summary>What the AWS page and the status panel know of the account: the checklist, the roles, orphans and live status.</summary>
public interface IAwsClient
{
    Task<IReadOnlyList<CheckItem>> RunChecklistAsync(CancellationToken ct);

    /// <summary>Creates the shared IAM roles; returns what exists now. Throws <see cref="Cord19.Core.Aws.AwsException"/> when refused.</summary>
    Task<IReadOnlyList<string>> CreateRolesAsync(CancellationToken ct);

    /// <summary>Resources tagged by a deployment that is not live: in the Settings region (first) and every region a deployment used.</summary>
    Task<IReadOnlyList<AwsReconciler.RegionOrphans>> FindOrphansAsync(CancellationToken ct);

    /// <summary>Deletes the orphans <see cref="FindOrphansAsync"/> lists; nothing unless <paramref name="confirmation"/> is the region's word.</summary>
    Task<AwsReconciler.OrphanDeletion> DeleteOrphansAsync(string region, string confirmation, CancellationToken ct);

    /// <summary>A new Airflow admin password in SSM, set on the live deployment's instance; returns what was done.</summary>
    Task<string> RotateAirflowPasswordAsync(CancellationToken ct);

    /// <summary>The latest look at once, then each new one (one poller per deployment, shared by every page).</summary>
    IAsyncEnumerable<AwsStatus> WatchStatusAsync(Guid deploymentId, CancellationToken ct);
}

public sealed class AwsClient(AwsChecklist checklist, AwsReconciler reconciler, AwsStatusMonitor monitor, AirflowPasswordRotation rotation,
    Cord19.Core.Settings.SettingsStore settings) : IAwsClient
{
    public Task<string> RotateAirflowPasswordAsync(CancellationToken ct) => rotation.RotateAsync(ct);

    public async Task<IReadOnlyList<CheckItem>> RunChecklistAsync(CancellationToken ct) => await checklist.RunAsync(await settings.GetAsync(ct), ct);

    public async Task<IReadOnlyList<string>> CreateRolesAsync(CancellationToken ct) => await checklist.CreateRolesAsync(await settings.GetAsync(ct), ct);

    public async Task<IReadOnlyList<AwsReconciler.RegionOrphans>> FindOrphansAsync(CancellationToken ct) =>
        await reconciler.FindOrphansEverywhereAsync((await settings.GetAsync(ct)).AwsRegion, ct);

    public Task<AwsReconciler.OrphanDeletion> DeleteOrphansAsync(string region, string confirmation, CancellationToken ct) =>
        reconciler.DeleteOrphansAsync(region, confirmation, ct);

    public IAsyncEnumerable<AwsStatus> WatchStatusAsync(Guid deploymentId, CancellationToken ct) => monitor.WatchAsync(deploymentId, ct);
}
