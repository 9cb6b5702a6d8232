using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using LogLevel = Cord19.Core.Deployments.LogLevel;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Keeps the live deployment's Redshift cluster from billing unseen, and the ledger's record of it true.
/// Outside phase 2, a running Redshift cluster only bills node-hours: phase 2 pauses it at its end and on its way out.
/// Two cases escape that, and this catches both by pausing the live deployment's cluster when it is available and no
/// phase 2 or 7 runs anywhere: a panel killed inside phase 2 (checked at start-up), and a phase 2 that stopped while
/// the cluster was still being created, which cannot be paused until it is available (checked every
/// <see cref="Interval"/> while the panel runs). Running phase 2 again resumes the cluster. A cluster it finds paused
/// while its nodes are still metered (Redshift's scheduled pause acted while the panel was away) stops being metered,
/// from its last CPU reading in CloudWatch: a paused cluster reports none. One it finds running that the ledger has as
/// paused (resumed in the console) is metered from its first CPU reading since the pause, then paused. A cluster
/// Redshift no longer has (deleted in the console, or by another tool) stops being metered altogether, and the final
/// snapshot the console kept of it is metered until phase 7 deletes it (<see cref="StopMeteringDeletedAsync"/>).
/// </summary>
public sealed class ClusterGuard(IAwsCloudFactory clouds, DeploymentStore store, SettingsStore settingsStore, TimeProvider clock)
{
    /// <summary>A cluster takes minutes to become available; a look costs one DescribeClusters, and none without a cluster.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>How long a cluster may go on billing after its last CPU reading's period: a pause takes a few minutes.</summary>
    public static readonly TimeSpan PauseSlack = TimeSpan.FromMinutes(10);

    /// <summary>One look; true when it paused the cluster. Throws <see cref="Cord19Exception"/> when AWS cannot be asked.</summary>
    public async Task<bool> CheckAsync(CancellationToken ct)
    {
        var live = await LiveAwsDeployment.ReadAsync(store, settingsStore, ct);
        if (live is null || UsesCluster(live.Runs)) return false;
        // The deployment comes with its ledger: no second read, and no AWS call without a cluster or a snapshot in it.
        var ledger = live.Ledger;
        if (!ledger.Any(r => r.Kind is AwsResourceKinds.Cluster or AwsResourceKinds.ClusterSnapshot)) return false;
        return await clouds.WithCloudAsync(live.Settings.AwsRegion, async cloud =>
        {
            var looked = ledger.Any(r => r.Kind == AwsResourceKinds.Cluster);
            var paused = looked && await PauseIfIdleAsync(cloud, live.Entries, live.Runs, ct);
            // Read again after the cluster's look: a cluster found deleted has ended, with the snapshots it left recorded,
            // and those are not to be taken for snapshots of a live cluster. Without a cluster, nothing changed since.
            var after = looked ? await LiveAwsDeployment.ReadAsync(store, settingsStore, ct) : live;
            if (after is not null && !UsesCluster(after.Runs))
                await ReconcileSnapshotsAsync(cloud, after.Ledger, after.Runs, ct, recordTaken: true);
            return paused;
        });
    }

    /// <summary>
    /// Ends the <paramref name="ledger"/>'s snapshots Redshift no longer has (deleted in its console), at this look:
    /// nothing dates their deletion earlier. With <paramref name="recordTaken"/>, also records the manual snapshots of the
    /// ledger's live cluster that it lacks (taken by hand, or by another tool, while the cluster runs), each metered from
    /// its creation; one listing per cluster serves both. How many it ended; a listing that fails leaves the ledger as
    /// it was for the next look, and the rest of the look goes on. Start-up reconciliation asks this too, without
    /// recording: its sweep has recorded what it found.
    /// </summary>
    internal async Task<int> ReconcileSnapshotsAsync(IAwsCloud cloud, IReadOnlyList<ResourceView> ledger, IReadOnlyList<PhaseRun> runs, CancellationToken ct,
        bool recordTaken = false)
    {
        var ended = 0;
        var snapshots = ledger.Where(r => r.Kind == AwsResourceKinds.ClusterSnapshot && r.DeletedAt is null).ToList();
        List<string> liveClusters = recordTaken ? [.. ledger.Where(r => r.Kind == AwsResourceKinds.Cluster && r.DeletedAt is null).Select(r => r.Locator)] : [];
        try
        {
            foreach (var cluster in snapshots.Select(s => AwsResourceKinds.SnapshotOf(s.Locator).Cluster).Concat(liveClusters).Distinct(StringComparer.Ordinal))
            {
                var listed = await cloud.ManualSnapshotsAsync(cluster, ct);
                var kept = listed.Select(s => s.Locator).ToHashSet(StringComparer.Ordinal);
                foreach (var gone in snapshots.Where(s => AwsResourceKinds.SnapshotOf(s.Locator).Cluster == cluster && !kept.Contains(s.Locator)))
                {
                    await store.MarkResourceDeletedAsync(gone.Id, ct);
                    await store.AppendLogAsync(LogRun(runs).Key, LogLevel.Info, "snapshot-deleted",
                        $"Snapshot {AwsResourceKinds.SnapshotOf(gone.Locator).Snapshot} of {cluster} is gone (deleted in Redshift's console, or by another tool): " +
                        "it is metered until now.", ct: ct);
                    ended++;
                }
                if (liveClusters.Contains(cluster))
                    await RecordSnapshotsTakenAsync(cluster, listed.Where(s => !snapshots.Any(r => r.Locator == s.Locator)).ToList(), runs, ct);
            }
        }
        catch (Cord19Exception)
        {
            // Asked again at the next look; until then the ledger stays as it was, never metering less than AWS bills.
        }
        return ended;
    }

    /// <summary>A manual snapshot in the ledger, metered from its creation (when Redshift began taking it), not from this look.</summary>
    private Task RecordSnapshotAsync(ClusterSnapshot snapshot, IReadOnlyList<PhaseRun> runs, CancellationToken ct) =>
        store.RecordResourceAsync(LogRun(runs).Key, AwsResourceKinds.ClusterSnapshot, snapshot.Locator,
            $"manual snapshot of {snapshot.Cluster} ({snapshot.Status})", snapshot.CreatedAt?.UtcDateTime, ct);

    /// <summary>Records snapshots of the live <paramref name="cluster"/> taken outside the panel, and says so.</summary>
    private async Task RecordSnapshotsTakenAsync(string cluster, IReadOnlyList<ClusterSnapshot> taken, IReadOnlyList<PhaseRun> runs, CancellationToken ct)
    {
        foreach (var snapshot in taken)
        {
            await RecordSnapshotAsync(snapshot, runs, ct);
            await store.AppendLogAsync(LogRun(runs).Key, LogLevel.Warning, "snapshot-taken",
                $"Snapshot {snapshot.Identifier} of {cluster} was taken outside the panel (in Redshift's console, or by another tool): it bills as backup storage " +
                "until it is deleted. The meters count it from its creation, and phase 7 deletes it with the deployment (or delete it in Redshift's console).", ct: ct);
        }
    }

    /// <summary>
    /// The look itself, with the deployment's cloud and its ledger's <paramref name="entries"/>, ended ones included
    /// (start-up reconciliation has both at hand, the ledger as it has just mended it).
    /// </summary>
    internal async Task<bool> PauseIfIdleAsync(IAwsCloud cloud, IReadOnlyList<ResourceView> entries, IReadOnlyList<PhaseRun> runs, CancellationToken ct)
    {
        if (UsesCluster(runs)) return false;
        var ledger = entries.Where(r => r.DeletedAt is null).ToList();
        var cluster = ledger.FirstOrDefault(r => r.Kind == AwsResourceKinds.Cluster);
        if (cluster is null) return false;
        var metered = ledger.Where(r => r.Kind == AwsResourceKinds.ClusterCompute).ToList();
        var lastWarehouseRun = LogRun(runs);
        switch (await cloud.PauseIfAvailableAsync(cluster.Locator, ct))
        {
            case { Status: "available" } when metered.Count == 0:
                // The ledger has it paused, so someone resumed it (the console, a schedule of their own): it billed unseen.
                var began = await ResumedAtAsync(cloud, cluster, entries, ct);
                var resumed = await store.RecordResourceAsync(lastWarehouseRun.Key, AwsResourceKinds.ClusterCompute, cluster.Locator,
                    "running: resumed outside the panel", began?.UtcDateTime, ct);
                await StopMeteringAsync([resumed], clock.GetUtcNow(), ct);
                await store.AppendLogAsync(lastWarehouseRun.Key, LogLevel.Warning, "idle-cluster",
                    $"Cluster {cluster.Locator} was running although the panel had paused it (resumed in the console, or by a schedule of your own): " +
                    $"paused again, and its nodes are metered from {resumed.CreatedAt:yyyy-MM-dd HH:mm} UTC, " +
                    (began is null ? "this look, as CloudWatch gave no reading since the pause" : "its first CPU reading in CloudWatch since the pause") +
                    ", until now. Running phase 2 again resumes it.", ct: ct);
                return true;
            case { Status: "available" }:
                await StopMeteringAsync(metered, clock.GetUtcNow(), ct);
                await store.AppendLogAsync(lastWarehouseRun.Key, LogLevel.Warning, "idle-cluster",
                    $"Cluster {cluster.Locator} was running with no phase 2 to use it (the panel stopped inside phase 2, or phase 2 stopped while the " +
                    "cluster was being created): paused, so it bills its managed storage only. Running phase 2 again resumes it.", ct: ct);
                return true;
            case { Status: "paused" or "pausing" } when metered.Count > 0:
                // Paused while the panel was not looking: by Redshift's scheduled pause (phase 2's backstop) or by hand.
                // The meter would otherwise go on pricing its nodes until phase 7, or, stopped now, for the hours until this look.
                var now = clock.GetUtcNow();
                var pausedBilledUntil = await NodesBilledUntilAsync(cloud, cluster, metered, now, ct);
                if (pausedBilledUntil is null) return false;
                var until = pausedBilledUntil.Value;
                await StopMeteringAsync(metered, until, ct);
                await store.AppendLogAsync(lastWarehouseRun.Key, LogLevel.Info, "idle-cluster",
                    $"Cluster {cluster.Locator} was found paused (Redshift's scheduled pause, or a pause in the console): its nodes are metered until " +
                    $"{until.UtcDateTime:yyyy-MM-dd HH:mm} UTC, " +
                    (until < now ? $"the end of its last CPU reading in CloudWatch and {PauseSlack.TotalMinutes:0} minutes for the pause" : "now: CloudWatch has no reading to date the pause by") +
                    ", then its managed storage only. Running phase 2 again resumes it.", ct: ct);
                return false;
            case null:
                await StopMeteringDeletedAsync(cloud, cluster, ledger, runs, ct);
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Ends the ledger's <paramref name="cluster"/>, which Redshift no longer has, with the running periods that end with
    /// it. When its nodes were metered it was deleted running, so its last CPU reading dates the deletion (with
    /// <see cref="PauseSlack"/>); a cluster deleted paused reports none, so this look dates it. The snapshots it left are
    /// recorded (<see cref="RecordSnapshotsKeptAsync"/>). False, and still metered,
    /// when CloudWatch cannot be asked: the next look asks again.
    /// </summary>
    internal async Task<bool> StopMeteringDeletedAsync(IAwsCloud cloud, ResourceView cluster, IReadOnlyList<ResourceView> ledger, IReadOnlyList<PhaseRun> runs,
        CancellationToken ct)
    {
        var metered = ledger.Where(r => r.Kind == AwsResourceKinds.ClusterCompute && r.Locator == cluster.Locator && r.DeletedAt is null).ToList();
        var now = clock.GetUtcNow();
        var billedUntil = await NodesBilledUntilAsync(cloud, cluster, metered, now, ct);
        if (billedUntil is null) return false;
        var until = billedUntil.Value;
        await StopMeteringAsync([.. metered, cluster], until, ct);
        // Phase 7 deletes a cluster's pause schedule after the cluster, and will find no cluster to delete now.
        var schedule = DeploymentNames.PauseScheduleOf(cluster.Locator);
        string scheduleLeft;
        try
        {
            await cloud.DeletePauseScheduleAsync(schedule, ct);
            scheduleLeft = $"Its pause schedule {schedule} is deleted too.";
        }
        catch (Cord19Exception ex)
        {
            scheduleLeft = $"Its pause schedule {schedule} was not deleted ({ex.Message}): with the cluster gone it costs nothing and does nothing; " +
                "delete it under Redshift's scheduled actions when you can.";
        }
        await store.AppendLogAsync(LogRun(runs).Key, LogLevel.Warning, "cluster-deleted",
            $"Cluster {cluster.Locator} is gone: Redshift no longer has it (deleted in the console, or by another tool). It is metered until " +
            $"{until.UtcDateTime:yyyy-MM-dd HH:mm} UTC, " +
            (until < now ? $"the end of its last CPU reading in CloudWatch and {PauseSlack.TotalMinutes:0} minutes for the deletion" : "now: nothing dates its deletion earlier") +
            $". {scheduleLeft} {await RecordSnapshotsKeptAsync(cloud, cluster, runs, ct)}" +
            "Running phase 2 again makes a new one only if the export is missing from the bucket.", ct: ct);
        return true;
    }

    /// <summary>
    /// Records the manual snapshots the deleted <paramref name="cluster"/> left (the console keeps a final snapshot unless
    /// told not to), each metered from its creation until phase 7 deletes it; says what it found, with a space after.
    /// </summary>
    private async Task<string> RecordSnapshotsKeptAsync(IAwsCloud cloud, ResourceView cluster, IReadOnlyList<PhaseRun> runs, CancellationToken ct)
    {
        IReadOnlyList<ClusterSnapshot> kept;
        try
        {
            kept = await cloud.ManualSnapshotsAsync(cluster.Locator, ct);
        }
        catch (Cord19Exception ex)
        {
            return $"Whether it left a snapshot could not be asked ({ex.Message}); phase 7 looks again, and deletes any it finds. ";
        }
        foreach (var snapshot in kept)
            await RecordSnapshotAsync(snapshot, runs, ct);
        return kept.Count == 0 ? ""
            : kept.Count == 1
                ? $"It left a snapshot, {kept[0].Identifier}, which bills as backup storage until it is deleted: the meters count it from its creation, " +
                  "and phase 7 deletes it with the deployment (or delete it in Redshift's console). "
                : $"It left {kept.Count} snapshots, {string.Join(", ", kept.Select(s => s.Identifier))}, which bill as backup storage until they are deleted: " +
                  "the meters count each from its creation, and phase 7 deletes them with the deployment (or delete them in Redshift's console). ";
    }

    /// <summary>
    /// Until when a cluster that stopped running (paused, or deleted) billed its <paramref name="metered"/> nodes: the end
    /// of its last CPU reading and <see cref="PauseSlack"/>, as a stopped cluster reports none; <paramref name="now"/>
    /// without a reading, or with nothing metered. Null when CloudWatch cannot be asked: the nodes stay metered, and the
    /// next look asks again (the readings stay for weeks).
    /// </summary>
    private static async Task<DateTimeOffset?> NodesBilledUntilAsync(IAwsCloud cloud, ResourceView cluster, IReadOnlyList<ResourceView> metered,
        DateTimeOffset now, CancellationToken ct)
    {
        if (metered.Count == 0) return now;
        try
        {
            var reported = await cloud.CpuReportedUntilAsync("AWS/Redshift", "ClusterIdentifier", cluster.Locator,
                new DateTimeOffset(metered.Min(c => c.CreatedAt), TimeSpan.Zero), ct);
            // No reading (null) compares false: the look dates it.
            var after = reported + PauseSlack;
            return after < now ? after.Value : now;
        }
        catch (Cord19Exception)
        {
            return null;
        }
    }

    /// <summary>The run whose log says what a look did: the latest phase 2's, else the latest run's.</summary>
    private static PhaseRun LogRun(IReadOnlyList<PhaseRun> runs) => runs.LastOrDefault(r => r.PhaseNumber == Phase.Warehouse) ?? runs.Last();

    /// <summary>
    /// When a cluster the ledger has as paused began running again: its first CPU reading after the pause and
    /// <see cref="PauseSlack"/> (the pause's own last readings come before that); null when CloudWatch has none or cannot be asked.
    /// </summary>
    private static async Task<DateTimeOffset?> ResumedAtAsync(IAwsCloud cloud, ResourceView cluster, IReadOnlyList<ResourceView> entries, CancellationToken ct)
    {
        var pausedAt = entries.Where(r => r.Kind == AwsResourceKinds.ClusterCompute && r.Locator == cluster.Locator && r.DeletedAt >= cluster.CreatedAt)
            .Max(r => r.DeletedAt) ?? cluster.CreatedAt;
        try
        {
            return await cloud.CpuReportedFromAsync("AWS/Redshift", "ClusterIdentifier", cluster.Locator,
                new DateTimeOffset(pausedAt, TimeSpan.Zero) + PauseSlack, ct);
        }
        catch (Cord19Exception)
        {
            return null; // the pause comes first: a cluster billing unseen is worse than a meter that starts late
        }
    }

    private async Task StopMeteringAsync(IEnumerable<ResourceView> metered, DateTimeOffset at, CancellationToken ct)
    {
        foreach (var compute in metered)
            await store.MarkResourceDeletedAsync(compute.Id, at.UtcDateTime, ct);
    }

    /// <summary>Phase 2 uses the cluster (another instance's phase 2 keeps its cluster); phase 7 is deleting it and its snapshots.</summary>
    private static bool UsesCluster(IReadOnlyList<PhaseRun> runs) =>
        runs.Any(r => r.Status == PhaseStatus.Running && r.PhaseNumber is Phase.Warehouse or Phase.Deallocation);
}
