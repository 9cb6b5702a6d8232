using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;

namespace Cord19.Core.Costs;

/// <summary>
/// What a deployment is billed for at a moment. On AWS: the ledger's spot instance (with its EBS volume and public
/// IPv4 address) and Redshift cluster, each from when it was recorded — just before the call that created it — until
/// it was deleted, priced with the sizes of the run that made it. Locally: what the phases would have kept running on
/// AWS (<see cref="AwsEquivalent"/>).
/// </summary>
public static class DeploymentMeters
{
    public static IReadOnlyList<MeteredResource> At(Deployment deployment, IReadOnlyList<PhaseRun> runs, DateTime at) =>
        deployment.Target == PipelineSettings.AwsTarget
            ? FromLedger(deployment.Resources, runs, at)
            : AwsEquivalent.Resources(runs, deployment.EndedAt is { } e && e <= at ? e : null);

    private static List<MeteredResource> FromLedger(IReadOnlyList<DeployedResource> ledger, IReadOnlyList<PhaseRun> runs, DateTime at)
    {
        PipelineSettings SettingsOf(DeployedResource r) => PipelineSettings.FromJsonOrDefault(runs.FirstOrDefault(run => run.Id == r.PhaseRunId)?.SettingsJson);
        BilledPeriod[] Period(DeployedResource r) => [new(r.CreatedAt, r.DeletedAt is { } d && d <= at ? d : null)];

        var metered = new List<MeteredResource>();
        foreach (var instance in ledger.Where(r => r.Kind == AwsResourceKinds.Instance && r.CreatedAt <= at))
        {
            var s = SettingsOf(instance);
            metered.Add(new($"EC2 spot instance ({s.InstanceType})", MeterKind.Ec2Instance, $"ec2.spot.{s.InstanceType}", 1, Period(instance)));
            metered.Add(new($"EBS gp3 volume ({s.EbsGigabytes} GB)", MeterKind.EbsVolume, "ebs.gp3.gb-month", s.EbsGigabytes, Period(instance)));
            metered.Add(new("Public IPv4 address", MeterKind.PublicIpv4, "ipv4.public.hour", 1, Period(instance)));
        }
        foreach (var cluster in ledger.Where(r => r.Kind == AwsResourceKinds.Cluster && r.CreatedAt <= at))
        {
            var s = SettingsOf(cluster);
            metered.Add(new($"Redshift cluster ({s.RedshiftNodes} × {s.RedshiftNodeType})", MeterKind.RedshiftCluster,
                $"redshift.ondemand.{s.RedshiftNodeType}", s.RedshiftNodes, Period(cluster)));
        }
        return metered;
    }
}
