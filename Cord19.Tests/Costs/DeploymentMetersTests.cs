using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;

namespace Cord19.Tests.Costs;

/// <summary>An AWS deployment is metered from its ledger's resources, by the same rules as the local target's estimate.</summary>
public sealed class DeploymentMetersTests
{
    private static readonly DateTime T0 = new(2026, 11, 27, 9, 0, 0, DateTimeKind.Utc);
    private static readonly PipelineSettings Settings = new() { Target = DeploymentTarget.Aws };

    private static (Deployment Deployment, List<PhaseRun> Runs) Aws(DateTime? instanceDeleted, DateTime? clusterRecorded = null)
    {
        var deployment = new Deployment { Target = DeploymentTarget.Aws, CreatedAt = T0 };
        var run = new PhaseRun { DeploymentId = deployment.Id, PhaseNumber = 1, StartedAt = T0, RequestedAt = T0, SettingsJson = System.Text.Json.JsonSerializer.Serialize(Settings, SettingsStore.Json) };
        deployment.Resources.Add(new DeployedResource { DeploymentId = deployment.Id, PhaseRunId = run.Id, Kind = AwsResourceKinds.Instance, Locator = "token", CreatedAt = T0, DeletedAt = instanceDeleted });
        deployment.Resources.Add(new DeployedResource { DeploymentId = deployment.Id, PhaseRunId = run.Id, Kind = AwsResourceKinds.Bucket, Locator = "bucket", CreatedAt = T0 });
        if (clusterRecorded is { } at)
            deployment.Resources.Add(new DeployedResource { DeploymentId = deployment.Id, PhaseRunId = run.Id, Kind = AwsResourceKinds.Cluster, Locator = "cord19-x", CreatedAt = at });
        return (deployment, [run]);
    }

    [Fact]
    public void The_instance_is_billed_from_its_record_to_its_deletion_as_the_local_estimate_bills_the_same_period()
    {
        var (aws, awsRuns) = Aws(instanceDeleted: T0.AddHours(2));
        var local = new Deployment { Target = DeploymentTarget.Local, CreatedAt = T0, EndedAt = T0.AddHours(2) };
        var localRun = new PhaseRun { DeploymentId = local.Id, PhaseNumber = 1, StartedAt = T0, RequestedAt = T0, SettingsJson = awsRuns[0].SettingsJson };

        var onAws = CostMeterService.Measure(aws, awsRuns, Settings, T0.AddHours(5));
        var estimate = CostMeterService.Measure(local, [localRun], Settings, T0.AddHours(5));

        Assert.False(onAws.IsAwsEquivalent);
        Assert.True(onAws.Accrued > 0);
        Assert.Equal(estimate.Accrued, onAws.Accrued);
        Assert.Equal(0, onAws.BurnRatePerHour);
    }

    /// <summary>
    /// On AWS each phase 2 run resumes (or makes) the cluster for its export and pauses it at its end, failed or not. The
    /// local target's "would have cost" counted node-hours from the first phase 2's start to the first success's end:
    /// a phase 2 that failed at once and ran again five hours later was priced five hours of nodes that AWS never bills.
    /// </summary>
    [Fact]
    public void The_local_equivalent_prices_the_cluster_s_nodes_for_each_phase_2_run_and_not_between_them()
    {
        var local = new Deployment { Target = DeploymentTarget.Local, CreatedAt = T0 };
        var json = System.Text.Json.JsonSerializer.Serialize(new PipelineSettings(), SettingsStore.Json);
        PhaseRun Run(int phase, PhaseStatus status, DateTime start, DateTime? end) =>
            new() { DeploymentId = local.Id, PhaseNumber = phase, Status = status, RequestedAt = start, StartedAt = start, EndedAt = end, SettingsJson = json };
        List<PhaseRun> runs =
        [
            Run(1, PhaseStatus.Succeeded, T0, T0.AddMinutes(10)),
            Run(2, PhaseStatus.Failed, T0.AddMinutes(10), T0.AddMinutes(40)),
            Run(2, PhaseStatus.Succeeded, T0.AddHours(5), T0.AddHours(5.5)),
            Run(2, PhaseStatus.Running, T0.AddHours(7), null),
        ];

        var nodes = CostMeterService.Measure(local, runs, new PipelineSettings(), T0.AddHours(8)).Resources.Single(r => r.Kind == MeterKind.RedshiftCluster);

        var hourly = PriceBook.Default.Find("redshift.ondemand.ra3.large")!.Usd;
        Assert.Equal(hourly * 2m, nodes.Accrued); // half an hour, half an hour, and the hour of the run still going
        Assert.Equal(hourly, nodes.BurnRatePerHour);
    }

    /// <summary>
    /// Outside the book's region only the live spot price is the deployment's own: the instance's volume and address are
    /// still priced by the book, so the warning stays once the instance is priced live.
    /// </summary>
    [Fact]
    public void Another_regions_deployment_is_warned_while_any_line_is_priced_by_the_book()
    {
        var (aws, runs) = Aws(instanceDeleted: null);
        aws.Region = "us-west-2";
        var instance = aws.Resources.Single(r => r.Kind == AwsResourceKinds.Instance);
        var live = new Dictionary<Guid, SpotPriceHistory> { [instance.Id] = new("us-west-2a", [new PricePoint(T0, 0.05m)]) };
        bool Warned(CostSnapshot s) => s.Warnings.Any(w => w.StartsWith("The price book holds us-east-2's prices, and this deployment runs in us-west-2", StringComparison.Ordinal));

        var measured = CostMeterService.Measure(aws, runs, Settings, T0.AddHours(1), live);

        Assert.Equal(0.05m, measured.Resources.Single(r => r.Kind == MeterKind.Ec2Instance).Accrued);
        Assert.True(Warned(measured));
        Assert.True(Warned(CostMeterService.Measure(aws, runs, Settings, T0.AddHours(1))));
    }

    /// <summary>Settings change between runs: each resource is priced with the sizes of the run that made it.</summary>
    [Fact]
    public void Each_resource_is_priced_with_the_sizes_of_the_run_that_made_it()
    {
        var (aws, runs) = Aws(instanceDeleted: null);
        var phaseTwo = new PhaseRun
        {
            DeploymentId = aws.Id, PhaseNumber = 2, StartedAt = T0.AddHours(1), RequestedAt = T0.AddHours(1),
            SettingsJson = System.Text.Json.JsonSerializer.Serialize(Settings with { EbsGigabytes = 200, RedshiftNodes = 4 }, SettingsStore.Json),
        };
        aws.Resources.Add(new DeployedResource { DeploymentId = aws.Id, PhaseRunId = phaseTwo.Id, Kind = AwsResourceKinds.Cluster, Locator = "cord19-x", CreatedAt = T0.AddHours(1) });

        var meters = CostMeterService.Measure(aws, [.. runs, phaseTwo], Settings, T0.AddHours(2)).Resources;

        Assert.Equal("EBS gp3 volume (30 GB)", meters.Single(r => r.Kind == MeterKind.EbsVolume).Name); // phase 1's, not phase 2's 200
        Assert.Equal("Redshift cluster (4 × ra3.large)", meters.Single(r => r.Kind == MeterKind.RedshiftCluster).Name);
    }

    [Fact]
    public void A_live_instance_keeps_billing_and_the_cluster_counts_from_its_own_record()
    {
        var (aws, runs) = Aws(instanceDeleted: null, clusterRecorded: T0.AddHours(1));

        var early = CostMeterService.Measure(aws, runs, Settings, T0.AddMinutes(30));
        var later = CostMeterService.Measure(aws, runs, Settings, T0.AddHours(3));

        Assert.DoesNotContain(early.Resources, r => r.Kind == MeterKind.RedshiftCluster);
        Assert.Contains(later.Resources, r => r.Kind == MeterKind.RedshiftCluster);
        Assert.True(later.BurnRatePerHour > early.BurnRatePerHour);
        Assert.True(later.Accrued > early.Accrued);
    }

    /// <summary>
    /// An earlier version's start-up reconciliation ended a cluster deleted in the console but left its running period
    /// live: that period ends with the cluster, not at phase 7.
    /// </summary>
    [Fact]
    public void A_running_period_an_earlier_version_left_live_ends_with_its_cluster()
    {
        var (aws, runs) = Aws(instanceDeleted: T0.AddHours(1), clusterRecorded: T0);
        aws.Resources.Single(r => r.Kind == AwsResourceKinds.Cluster).DeletedAt = T0.AddHours(2);
        aws.Resources.Add(new DeployedResource { DeploymentId = aws.Id, PhaseRunId = runs[0].Id, Kind = AwsResourceKinds.ClusterCompute, Locator = "cord19-x", CreatedAt = T0 });

        var atDeletion = CostMeterService.Measure(aws, runs, Settings, T0.AddHours(2));
        var dayLater = CostMeterService.Measure(aws, runs, Settings, T0.AddHours(26));

        Assert.Equal(0, dayLater.BurnRatePerHour);
        Assert.Equal(atDeletion.Accrued, dayLater.Accrued);
    }
}
