using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Microsoft.Extensions.Logging;
using LogLevel = Cord19.Core.Deployments.LogLevel;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Makes the ledger tell the truth after a crash. At start-up, for each live AWS deployment: a resource its tags
/// show but the ledger lacks (the app died between the create call and the record) is recorded; a ledger entry
/// that AWS no longer has (recorded before a create that never happened, or deleted by hand) is marked deleted.
/// An instance AWS has ended stops being metered (<see cref="EndedInstanceGuard"/>). Then the idle cluster a panel killed
/// inside phase 2 left running is paused (<see cref="ClusterGuard"/>).
/// Also finds orphans: resources tagged by a deployment that is no longer live.
/// </summary>
public sealed class AwsReconciler(
    IAwsCloudFactory clouds, DeploymentStore store, SettingsStore settingsStore, ClusterGuard clusterGuard, EndedInstanceGuard endedInstance,
    AwsTargetOptions options, TimeProvider clock, ILogger<AwsReconciler> logger)
{
    /// <param name="PausedCluster">The cluster was found running with no phase 2 to use it, and paused.</param>
    public sealed record Report(int Added, int MarkedDeleted, bool PausedCluster = false);

    /// <param name="Refusal">Why nothing was deleted (the confirmation word was not typed), or null.</param>
    public sealed record OrphanDeletion(string Region, IReadOnlyList<string> Deleted, IReadOnlyList<string> Failures, IReadOnlyList<TaggedResource> Left, string? Refusal);

    /// <summary>What a person types to delete a region's orphans: deleting is for good, as with phase 7's deployment name.</summary>
    public static string OrphanConfirmation(string region) => $"delete-orphans-{region}";

    public async Task<Report> ReconcileAsync(CancellationToken ct)
    {
        var live = await LiveAwsDeployment.ReadAsync(store, settingsStore, ct);
        if (live is null) return new Report(0, 0);
        var (deployment, runs, settings) = live;
        var latestRun = runs.Where(r => r.StartedAt is not null).MaxBy(r => r.StartedAt);
        if (latestRun is null) return new Report(0, 0);

        return await clouds.WithCloudAsync(settings.AwsRegion, async cloud =>
        {
            var tagged = await cloud.FindTaggedAsync(deployment.Id, ct);
            var ledger = live.Ledger; // read with the deployment: no second read
            int added = 0, deleted = 0;
            foreach (var item in tagged.Where(t => !ledger.Any(r => r.Kind == t.Kind && r.Locator == t.Locator)))
            {
                await store.RecordResourceAsync(latestRun.Key, item.Kind, item.Locator, $"Found by its tags at start-up ({item.State})", item.Since?.UtcDateTime, ct);
                await store.AppendLogAsync(latestRun.Key, LogLevel.Warning, "reconcile", item.Kind == AwsResourceKinds.ClusterSnapshot
                    ? $"Recorded {item.Kind} {item.Locator}: a manual snapshot of this deployment's cluster (the final snapshot the console keeps when it " +
                      "deletes a cluster, or one taken by hand), which bills as backup storage until it is deleted. It is metered from its creation; phase 7 deletes it."
                    : $"Recorded {item.Kind} {item.Locator}: AWS has it (tagged for this deployment) but the ledger did not.", ct: ct);
                added++;
            }
            await NameInstancesAsync(cloud, deployment.Id, ledger, latestRun, ct);
            foreach (var entry in ledger.Where(r => !tagged.Any(t => t.Kind == r.Kind && t.Locator == r.Locator)))
            {
                if (entry.Kind == AwsResourceKinds.Instance)
                {
                    // Ended while the panel was away: dated by what AWS still says of it, not by this look, which may be days later.
                    if (await endedInstance.StopMeteringIfEndedAsync(cloud, deployment.Id, entry, runs, ct)) deleted++;
                    continue;
                }
                // A snapshot the sweep did not list may be one it could not (an operator policy without the listing): the cluster's guard asks.
                if (entry.Kind == AwsResourceKinds.ClusterSnapshot) continue;
                if (await ExistsAsync(cloud, entry, ct)) continue; // present but untagged (e.g. tagging failed): keep it
                if (entry.Kind == AwsResourceKinds.Cluster)
                {
                    // Its running periods end with it, dated by what CloudWatch still says of it.
                    if (await clusterGuard.StopMeteringDeletedAsync(cloud, entry, ledger, runs, ct)) deleted++;
                    continue;
                }
                await store.MarkResourceDeletedAsync(entry.Id, ct);
                await store.AppendLogAsync(latestRun.Key, LogLevel.Warning, "reconcile", $"Marked {entry.Kind} {entry.Locator} deleted: AWS does not have it.", ct: ct);
                deleted++;
            }
            // Only snapshots the sweep did not list are asked about again; with none, nothing is asked.
            deleted += await clusterGuard.ReconcileSnapshotsAsync(cloud, [.. ledger.Where(r => !tagged.Any(t => t.Kind == r.Kind && t.Locator == r.Locator))], runs, ct);
            var mended = (await store.GetWithRunsAsync(deployment.Id, ct))!.Value.Deployment.Resources.Select(ResourceView.From).ToList();
            return new Report(added, deleted, await clusterGuard.PauseIfIdleAsync(cloud, mended, runs, ct));
        });
    }

    /// <summary>
    /// An instance entry that names no instance was recorded just before a launch the panel did not live to record the
    /// answer of. If EC2 lists an instance under its token, the launch went through: the entry gets its id, zone and type,
    /// which the ended-instance guard (the id, once EC2 forgets it), a replacement's token and the meter read. Without
    /// them, once that instance ended, phase 1 would take the entry for a refused launch and ask again with its token,
    /// which EC2 answers with the ended instance, run after run. One DescribeInstances, and only for such an entry.
    /// </summary>
    private async Task NameInstancesAsync(IAwsCloud cloud, Guid deploymentId, IReadOnlyList<ResourceView> ledger, PhaseRun latestRun, CancellationToken ct)
    {
        var unnamed = ledger.Where(r => r.Kind == AwsResourceKinds.Instance && InstanceEntry.InstanceId(r.Description) is null).ToList();
        if (unnamed.Count == 0) return;
        foreach (var instance in await cloud.FindInstancesAsync(deploymentId, ct))
        {
            var entry = unnamed.FirstOrDefault(r => r.Locator == instance.ClientToken);
            if (entry is null) continue;
            await store.RecordResourceAsync(latestRun.Key, AwsResourceKinds.Instance, entry.Locator,
                InstanceEntry.Named(entry.Description ?? "", instance.InstanceId, instance.AvailabilityZone, instance.InstanceType), ct: ct);
            await store.AppendLogAsync(latestRun.Key, LogLevel.Warning, "reconcile",
                $"Instance entry {entry.Locator} now names {instance.InstanceId}{(instance.AvailabilityZone is { } zone ? $" in {zone}" : "")}" +
                $"{(instance.InstanceType is { } type ? $" ({type})" : "")}: the panel stopped between its launch and the record of it.", ct: ct);
        }
    }

    /// <summary>One region's orphans, or why that region could not be searched (<paramref name="Problem"/>, with its fix).</summary>
    public sealed record RegionOrphans(string Region, IReadOnlyList<TaggedResource> Resources, string? Problem = null);

    /// <summary>
    /// The orphans of <paramref name="settingsRegion"/> (first) and of every other region a deployment of this panel used:
    /// what a crash left in a region Settings no longer names would otherwise bill on unseen. One region that cannot be
    /// searched (not enabled for the account, say) is reported as such and does not hide the others.
    /// </summary>
    public async Task<IReadOnlyList<RegionOrphans>> FindOrphansEverywhereAsync(string settingsRegion, CancellationToken ct)
    {
        var deployments = await store.ListDeploymentsAsync(ct);
        var used = deployments.Where(d => d.Target == DeploymentTarget.Aws).Select(d => d.Region).OfType<string>();
        var regions = used.Prepend(settingsRegion).Distinct(StringComparer.Ordinal);
        var live = LiveDeploymentId(deployments);
        return await Task.WhenAll(regions.Select(async region =>
        {
            try
            {
                return new RegionOrphans(region, await OrphansInAsync(region, live, ct));
            }
            catch (Cord19Exception ex)
            {
                return new RegionOrphans(region, [], ex.Message);
            }
        }));
    }

    /// <summary>Resources in <paramref name="region"/> tagged by a deployment that is not live (or by none the app knows).</summary>
    public async Task<IReadOnlyList<TaggedResource>> FindOrphansAsync(string region, CancellationToken ct) =>
        await OrphansInAsync(region, LiveDeploymentId(await store.ListDeploymentsAsync(ct)), ct);

    private Task<IReadOnlyList<TaggedResource>> OrphansInAsync(string region, Guid? live, CancellationToken ct) =>
        clouds.WithCloudAsync<IReadOnlyList<TaggedResource>>(region, async cloud =>
            (await cloud.FindTaggedAsync(null, ct)).Where(t => !OfLiveDeployment(t, live)).ToList());

    /// <summary>
    /// Whether a resource is the live deployment's, by its tag, or for a snapshot without tags by its cluster's name.
    /// With no deployment live, none is: a resource without a deployment tag (a snapshot the console kept) is an orphan
    /// then too, rather than matched to the missing deployment's missing tag.
    /// </summary>
    private static bool OfLiveDeployment(TaggedResource found, Guid? live) =>
        live.HasValue && (found.DeploymentId == live.Value.ToString() || (found.Kind == AwsResourceKinds.ClusterSnapshot
            && AwsResourceKinds.SnapshotOf(found.Locator).Cluster == ResourceTags.Name(live.Value)));

    /// <summary>
    /// The live deployment, whose resources are never orphans; null when none is live. The list is newest first, and
    /// only the newest deployment can be live.
    /// </summary>
    private static Guid? LiveDeploymentId(IReadOnlyList<DeploymentView> deployments)
    {
        var newest = deployments.FirstOrDefault();
        return newest is not null && newest.EndedAt is null ? newest.Id : null;
    }

    /// <summary>
    /// Deletes every orphan in <paramref name="region"/> (what <see cref="FindOrphansAsync"/> lists: its dry run), in
    /// dependency order as phase 7 would, then looks again; nothing without the typed confirmation.
    /// </summary>
    public async Task<OrphanDeletion> DeleteOrphansAsync(string region, string? confirmation, CancellationToken ct)
    {
        var word = OrphanConfirmation(region);
        if (!string.Equals(confirmation?.Trim(), word, StringComparison.Ordinal))
            return new OrphanDeletion(region, [], [], [], $"Deleting orphans is for good: type {word} to confirm.");
        return await clouds.WithCloudAsync(region, async cloud =>
        {
            var orphans = await FindOrphansAsync(region, ct);
            var (deleted, failures) = await new AwsTeardown(cloud, new AwsPolling(options.PollInterval, clock), options)
                .DeleteOrphansAsync(new OrphanLog(logger), orphans, ct);
            return new OrphanDeletion(region, deleted, failures, await FindOrphansAsync(region, ct), null);
        });
    }

    /// <summary>The clean-up has no phase run to log to: its lines go to the server log.</summary>
    private sealed class OrphanLog(ILogger logger) : Pipeline.IStepRecorder
    {
        public Task StepAsync(string step, Func<CancellationToken, Task> body, bool checkpointed = false) => body(CancellationToken.None);

        public Task LogAsync(string message)
        {
            logger.LogInformation("Orphan clean-up: {Message}", message);
            return Task.CompletedTask;
        }
    }

    /// <summary>At start-up: reconcile, and log what it changed. The web app's hosted service logs a failure instead of stopping.</summary>
    public async Task ReconcileAndLogAsync(CancellationToken ct)
    {
        var report = await ReconcileAsync(ct);
        if (report.Added + report.MarkedDeleted > 0 || report.PausedCluster)
            logger.LogWarning("AWS reconciliation: {Added} resources recorded from their tags, {Deleted} ledger entries marked deleted, the idle cluster {Paused}.",
                report.Added, report.MarkedDeleted, report.PausedCluster ? "paused" : "left as it was");
    }

    /// <summary>Whether AWS still has a ledger entry's resource (instances are the ended-instance guard's).</summary>
    private static async Task<bool> ExistsAsync(IAwsCloud cloud, ResourceView entry, CancellationToken ct) => entry.Kind switch
    {
        AwsResourceKinds.Role => await cloud.FindRoleAsync(entry.Locator, ct) is not null,
        AwsResourceKinds.Cluster => await cloud.FindClusterAsync(entry.Locator, ct) is not null,
        AwsResourceKinds.SecurityGroup => await cloud.FindSecurityGroupAsync(entry.Locator, await cloud.DefaultVpcAsync(ct), ct) is not null,
        AwsResourceKinds.Parameter => await cloud.GetSecretAsync(entry.Locator, ct) is not null,
        AwsResourceKinds.Bucket => await cloud.OwnsBucketAsync(entry.Locator, ct),
        _ => true, // unknown kinds are left as recorded
    };
}
