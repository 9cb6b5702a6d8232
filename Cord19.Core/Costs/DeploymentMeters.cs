using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;

namespace Cord19.Core.Costs;

/// <summary>
/// What a deployment is billed for at a moment. On AWS: the ledger's spot instance (with its EBS volume and public
/// IPv4 address), Redshift cluster and any snapshot of it, each from when it was recorded — just before the call that created it — until
/// it was deleted, priced with the sizes of the run that made it. Locally: what the phases would have kept running on
/// AWS (<see cref="AwsEquivalent"/>).
/// </summary>
public static class DeploymentMeters
{
    /// <param name="spotPrices">The live spot price history of each instance (AWS), by its ledger entry, which replaces the price book's estimate.</param>
    public static IReadOnlyList<MeteredResource> At(Deployment deployment, IReadOnlyList<PhaseRun> runs, DateTime at, IReadOnlyDictionary<Guid, SpotPriceHistory>? spotPrices = null) =>
        deployment.Target == DeploymentTarget.Aws
            ? FromLedger(deployment.Resources, runs, at, spotPrices)
            : AwsEquivalent.Resources(runs, deployment.EndedAt is { } e && e <= at ? e : null);

    private static List<MeteredResource> FromLedger(IReadOnlyList<DeployedResource> ledger, IReadOnlyList<PhaseRun> runs, DateTime at, IReadOnlyDictionary<Guid, SpotPriceHistory>? spotPrices)
    {
        PipelineSettings SettingsOf(DeployedResource r) => PipelineSettings.FromJsonOrDefault(runs.FirstOrDefault(run => run.Id == r.PhaseRunId)?.SettingsJson);
        // The type its entry names, which may be a fallback of the run's first choice (an entry of an earlier version names the first choice).
        PipelineSettings LaunchedAs(DeployedResource instance) => SettingsOf(instance) is var s && InstanceEntry.InstanceType(instance.Description) is { } type
            ? s with { InstanceType = type } : s;
        DateTime? EndBy(DeployedResource r) => r.DeletedAt is { } d && d <= at ? d : null;
        BilledPeriod[] Period(DeployedResource r) => [new(r.CreatedAt, EndBy(r))];
        // A running period ends with its cluster at the latest: an earlier version's reconciliation ended a deleted cluster's entry only.
        BilledPeriod Within(DeployedResource r, DeployedResource cluster) => new(r.CreatedAt, Earliest(EndBy(r), EndBy(cluster)));
        var clusters = ledger.Where(r => r.Kind == AwsResourceKinds.Cluster && r.CreatedAt <= at).OrderBy(r => r.CreatedAt).ToList();
        // A cluster made again under the same name has an entry of its own: a running period belongs to the last one begun
        // by its start (an earlier version's ledger, whose one entry was revived, may hold periods begun before it).
        DeployedResource? LifeOf(DeployedResource running)
        {
            var lives = clusters.Where(c => c.Locator == running.Locator).ToList();
            return lives.LastOrDefault(c => c.CreatedAt <= running.CreatedAt) ?? lives.FirstOrDefault();
        }

        var metered = new List<MeteredResource>();
        foreach (var instance in ledger.Where(r => r.Kind == AwsResourceKinds.Instance && r.CreatedAt <= at))
            metered.AddRange(AwsEquivalent.Instance(LaunchedAs(instance), Period(instance))
                .Select(m => m.Kind == MeterKind.Ec2Instance && spotPrices?.GetValueOrDefault(instance.Id) is { Points.Count: > 0 } live ? m with { PriceHistory = live.Points } : m));
        foreach (var cluster in clusters)
        {
            // Compute bills only while the cluster runs (its ledger's compute entries end at the pause); storage until deletion.
            // A ledger from before pausing existed has no compute entries: the cluster ran its whole life.
            var running = ledger.Where(r => r.Kind == AwsResourceKinds.ClusterCompute && r.Locator == cluster.Locator && r.CreatedAt <= at && LifeOf(r) == cluster).ToList();
            metered.Add(AwsEquivalent.Cluster(SettingsOf(cluster), running.Count == 0 ? Period(cluster) : running.Select(r => Within(r, cluster)).ToList()));
            if (running.Count > 0) metered.Add(AwsEquivalent.ClusterStorage(Period(cluster)));
        }
        foreach (var snapshot in ledger.Where(r => r.Kind == AwsResourceKinds.ClusterSnapshot && r.CreatedAt <= at))
            metered.Add(AwsEquivalent.ClusterSnapshot(AwsResourceKinds.SnapshotOf(snapshot.Locator).Snapshot, Period(snapshot)));
        foreach (var scan in ledger.Where(r => r.Kind == AwsResourceKinds.SpectrumScan && r.CreatedAt <= at))
            if (AwsResourceKinds.ScanOf(scan.Locator).Bytes is { } bytes)
                metered.Add(AwsEquivalent.SpectrumScan(bytes, scan.CreatedAt));
        // The lives of one resource (a cluster made again, a second export of the same size) are one meter, with the periods of each.
        return [.. metered.GroupBy(m => (m.Name, m.Kind, m.PriceKey, m.Quantity, m.PriceHistory))
            .Select(lives => lives.Skip(1).Any() ? lives.First() with { Periods = [.. lives.SelectMany(m => m.Periods)] } : lives.First())];
    }

    private static DateTime? Earliest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
