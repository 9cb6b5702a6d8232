using Bunit;
using Cord19.Core.Deployments;
using Cord19.Core.Targets.Aws;
using Cord19.Web.Components.Controls;
using Cord19.Web.Model;

namespace Cord19.Tests.Pages;

/// <summary>The ledger's table: what AWS holds is live or deleted; a cluster's meters are metered or ended.</summary>
public sealed class ResourceTableTests : BunitContext
{
    private static readonly DateTime Made = new(2026, 12, 6, 13, 31, 0, DateTimeKind.Utc);

    [Fact]
    public void A_cluster_s_running_period_ends_while_the_cluster_it_meters_lives_on()
    {
        ResourceView[] ledger =
        [
            new(Guid.NewGuid(), AwsResourceKinds.Cluster, "cord19-f282c965", "1 × ra3.large, private", Made, null),
            new(Guid.NewGuid(), AwsResourceKinds.ClusterCompute, "cord19-f282c965", "1 × ra3.large running", Made, Made.AddMinutes(20)),
            new(Guid.NewGuid(), AwsResourceKinds.SpectrumScan, "cord19-f282c965/3091828", "The export's scan", Made.AddMinutes(15), null),
            new(Guid.NewGuid(), AwsResourceKinds.Parameter, "/cord19/f282c965/airflow-admin-password", "Airflow admin password", Made, Made.AddHours(2)),
        ];

        var table = Render<ResourceTable>(p => p.Add(c => c.Resources, ledger).AddCascadingValue(new Moments(TimeZoneInfo.Utc)));

        Assert.Equal(["live", "ended 2026-12-06 13:51", "metered", "deleted 2026-12-06 15:31"],
            table.FindAll("td[data-label=State]").Select(td => td.TextContent));
    }
}
