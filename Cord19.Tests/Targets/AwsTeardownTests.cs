using Cord19.Core.Results;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>Phase 7 on AWS when the account no longer matches the ledger: what it must not read, and what it must not forget.</summary>
public sealed class AwsTeardownTests
{
    /// <summary>
    /// The deployment's bucket was deleted by hand (its name may be another account's by now): phase 7 copies nothing
    /// from a bucket of that name, and goes on to delete the rest.
    /// </summary>
    [Fact]
    public async Task A_bucket_the_deployment_no_longer_owns_is_not_read_and_the_rest_is_deleted()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var names = await h.NamesAsync();
        var id = names.DeploymentId;
        await new ResultStore(h.Cloud.Objects(names.AccountBucket, names.ResultsPrefix)).PublishRunAsync(SyntheticRun.Create("manual__0", 40), default);
        h.Cloud.Buckets.Remove(names.Bucket); // what is under its name is no longer the deployment's

        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        var log = await h.Core.LogTextAsync(teardown);
        Succeeded(teardown, log);
        Assert.Empty((await h.Core.Results.ListRunsAsync(default)).Runs);
        Assert.DoesNotContain("Results kept", log);
        Assert.Empty(await h.Cloud.FindTaggedAsync(id, default));
    }

    /// <summary>
    /// Of two resources of a kind, one deleted and one not: only the deleted one's entry ends. The other stays in the
    /// ledger, metered and in the next phase 7's plan.
    /// </summary>
    [Fact]
    public async Task A_resource_phase_7_could_not_delete_stays_in_the_ledger_beside_one_of_its_kind_that_went()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var names = await h.NamesAsync();
        var id = names.DeploymentId;
        h.Cloud.DeleteClusterFailure = FakeAwsCloud.Error("redshift:DeleteCluster", "AccessDenied", "not authorized", System.Net.HttpStatusCode.Forbidden);

        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        FailedSaying(teardown, names.Cluster, names.RedshiftSecurityGroup, "run phase 7 again");
        Assert.Contains($"Could not delete {AwsResourceKinds.Cluster} {names.Cluster}: ", await h.Core.LogTextAsync(teardown)); // as it happened, before the sweep
        var live = await h.Core.Store.GetLiveResourcesAsync(id);
        // The cluster keeps its group in use.
        Assert.Contains(live, r => r.Kind == AwsResourceKinds.Cluster && r.Locator == names.Cluster);
        Assert.Contains(live, r => r.Kind == AwsResourceKinds.SecurityGroup && r.Locator == names.RedshiftSecurityGroup);
        Assert.DoesNotContain(live, r => r.Kind == AwsResourceKinds.SecurityGroup && r.Locator == names.AirflowSecurityGroup);
    }

    /// <summary>An instance EC2 will not terminate is named with what it costs and what to do; two are named together, in the plural.</summary>
    [Theory]
    [InlineData(false, "It keeps its security group in use and costs money: terminate it in the EC2 console (or fix the permission named), then run phase 7 again.")]
    [InlineData(true, "They keep their security group in use and cost money: terminate them in the EC2 console (or fix the permission named), then run phase 7 again.")]
    public async Task Instances_EC2_will_not_terminate_are_named_with_the_fix(bool secondByHand, string fix)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var id = await h.DeploymentIdAsync();
        var (first, spec) = Assert.Single(h.Cloud.Instances.Values);
        if (secondByHand) h.Cloud.Instances["launched-by-hand"] = (first with { InstanceId = "i-0byhand", ClientToken = "launched-by-hand" }, spec);
        h.Cloud.RefuseEveryTermination = true;

        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        FailedSaying(teardown, $"Instance {first.InstanceId} could not be terminated", fix);
        Assert.Equal(secondByHand, teardown.LatestRun!.Reason!.Contains("Instance i-0byhand could not be terminated", StringComparison.Ordinal));
        Assert.Equal(secondByHand ? 2 : 1, (await h.Cloud.FindTaggedAsync(id, default)).Count(t => t.Kind == AwsResourceKinds.Instance));
    }
}
