using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Phases;

namespace Cord19.Core.Costs;

/// <summary>
/// What a deployment's phases would have kept running on AWS, from the measured phase times: the spot
/// instance, its EBS volume and public IPv4 address from the start of phase 1 until de-allocation succeeds, the
/// Redshift cluster's nodes through each phase 2 run (which pauses it at its end) and its managed storage until de-allocation. The local target meters these ("this run would have
/// cost $X on AWS"); the AWS target meters its real resources from the ledger (<see cref="DeploymentMeters"/>).
/// </summary>
public static class AwsEquivalent
{
    public static IReadOnlyList<MeteredResource> Resources(IReadOnlyList<PhaseRun> runs, DateTime? deallocatedAt)
    {
        var firstOf = (int phase) => runs.Where(r => r.PhaseNumber == phase && r.StartedAt is not null).MinBy(r => r.StartedAt);
        var resources = new List<MeteredResource>();

        if (firstOf(1) is { } machine)
            resources.AddRange(Instance(SettingsOf(machine), [new(machine.StartedAt!.Value, deallocatedAt)]));
        if (firstOf(2) is { } lake)
        {
            // Each phase 2 run makes or resumes the cluster for its export and pauses it at its end, failed or not:
            // node-hours while a run lasts, managed storage from the first until de-allocation.
            var exports = runs.Where(r => r.PhaseNumber == Phase.Warehouse && r.StartedAt is not null).OrderBy(r => r.StartedAt)
                .Select(r => new BilledPeriod(r.StartedAt!.Value, r.EndedAt is { } end && (deallocatedAt is null || end < deallocatedAt) ? end : deallocatedAt));
            resources.Add(Cluster(SettingsOf(lake), [.. exports]));
            resources.Add(ClusterStorage([new(lake.StartedAt!.Value, deallocatedAt)]));
        }
        return resources;
    }

    /// <summary>
    /// The price keys a deployment with these settings is metered by: the instance's three and, where phase 2 makes a
    /// cluster, its nodes and managed storage, and on AWS the Spectrum scan of the lake (a snapshot is metered only when
    /// the console kept one). A key the price book lacks leaves the meter's total unknown.
    /// </summary>
    public static IEnumerable<string> PriceKeys(PipelineSettings s) =>
        Instance(s, []).Select(r => r.PriceKey)
            .Concat(MakesCluster(s) ? [Cluster(s, []).PriceKey, ClusterStorage([]).PriceKey] : [])
            .Concat(MakesCluster(s) && s.Target == DeploymentTarget.Aws ? [SpectrumScan(0, default).PriceKey] : []);

    /// <summary>
    /// On AWS, phase 2 makes a cluster only to export the data lake: with the panel's file or a CORD-19 release there is
    /// none. The local target's phase 2 stands for the cluster that would have done its work.
    /// </summary>
    public static bool MakesCluster(PipelineSettings s) =>
        s.Target != DeploymentTarget.Aws || s.AwsMetadataSource == PipelineSettings.DataLakeMetadataSource;

    /// <summary>A spot instance of the settings' size with its EBS volume and public IPv4 address, billed for <paramref name="period"/>.</summary>
    public static IEnumerable<MeteredResource> Instance(PipelineSettings s, BilledPeriod[] period) =>
    [
        new($"EC2 spot instance ({s.InstanceType})", MeterKind.Ec2Instance, $"ec2.spot.{s.InstanceType}", 1, period),
        new($"EBS gp3 volume ({s.EbsGigabytes} GB)", MeterKind.EbsVolume, "ebs.gp3.gb-month", s.EbsGigabytes, period),
        new("Public IPv4 address", MeterKind.PublicIpv4, "ipv4.public.hour", 1, period),
    ];

    public static MeteredResource Cluster(PipelineSettings s, IReadOnlyList<BilledPeriod> running) =>
        new($"Redshift cluster ({s.RedshiftNodes} × {s.RedshiftNodeType})", MeterKind.RedshiftCluster, $"redshift.ondemand.{s.RedshiftNodeType}", s.RedshiftNodes, running);

    /// <summary>
    /// RA3 managed storage, billed from creation to deletion, paused or not. The cluster holds only the external schema
    /// (the export goes to S3), so it is metered as 1 GB: the panel does not read the cluster's stored size.
    /// </summary>
    public static MeteredResource ClusterStorage(BilledPeriod[] period) =>
        new("Redshift managed storage (about 1 GB)", MeterKind.RedshiftStorage, "redshift.rms.gb-month", 1, period);

    /// <summary>
    /// A manual snapshot of the cluster (a final snapshot the console kept), billed as backup storage until it is
    /// deleted. It holds what the cluster held, the external schema, so it is metered as 1 GB, as the managed storage is.
    /// </summary>
    public static MeteredResource ClusterSnapshot(string identifier, BilledPeriod[] period) =>
        new($"Redshift snapshot {identifier} (about 1 GB)", MeterKind.RedshiftSnapshot, "redshift.backup.gb-month", 1, period);

    /// <summary>The data lake's bytes read by the export's UNLOAD through Spectrum.</summary>
    public static MeteredResource SpectrumScan(long bytes, DateTime at) =>
        new($"Redshift Spectrum scan of the data lake ({bytes / 1_048_576.0:0.0} MB)", MeterKind.SpectrumScan, "redshift.spectrum.tb-scanned",
            bytes / 1_099_511_627_776m, [new BilledPeriod(at, at)]);

    /// <summary>The sizes a run was started with (changing Settings later does not re-price a running resource).</summary>
    private static PipelineSettings SettingsOf(PhaseRun run) => PipelineSettings.FromJsonOrDefault(run.SettingsJson);
}
