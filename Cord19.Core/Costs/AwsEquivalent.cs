using Cord19.Core.Deployments;
using Cord19.Core.Settings;

namespace Cord19.Core.Costs;

/// <summary>
/// What a deployment's phases would have kept running on AWS, from the measured phase times: the spot
/// instance, its EBS volume and public IPv4 address from the start of phase 1, the Redshift cluster from the
/// start of phase 2, all until de-allocation succeeds. The local target meters these ("this run would have
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
            resources.Add(Cluster(SettingsOf(lake), [new(lake.StartedAt!.Value, deallocatedAt)]));
        return resources;
    }

    /// <summary>A spot instance of the settings' size with its EBS volume and public IPv4 address, billed for <paramref name="period"/>.</summary>
    public static IEnumerable<MeteredResource> Instance(PipelineSettings s, BilledPeriod[] period) =>
    [
        new($"EC2 spot instance ({s.InstanceType})", MeterKind.Ec2Instance, $"ec2.spot.{s.InstanceType}", 1, period),
        new($"EBS gp3 volume ({s.EbsGigabytes} GB)", MeterKind.EbsVolume, "ebs.gp3.gb-month", s.EbsGigabytes, period),
        new("Public IPv4 address", MeterKind.PublicIpv4, "ipv4.public.hour", 1, period),
    ];

    public static MeteredResource Cluster(PipelineSettings s, BilledPeriod[] period) =>
        new($"Redshift cluster ({s.RedshiftNodes} × {s.RedshiftNodeType})", MeterKind.RedshiftCluster, $"redshift.ondemand.{s.RedshiftNodeType}", s.RedshiftNodes, period);

    /// <summary>The sizes a run was started with (changing Settings later does not re-price a running resource).</summary>
    private static PipelineSettings SettingsOf(PhaseRun run) => PipelineSettings.FromJsonOrDefault(run.SettingsJson);
}
