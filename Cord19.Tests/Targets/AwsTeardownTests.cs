using Cord19.Core.Execution;
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

    /// <summary>
    /// The dry run tells apart, within one kind, what the ledger and the tags both know, what only the ledger knows (a
    /// parameter deleted by hand) and what only the tags know (a group made by a phase the panel did not record). It
    /// keeps the ledger's order within a kind, the unrecorded ones after; and phase 7 deletes the unrecorded group too.
    /// </summary>
    [Fact]
    public async Task The_dry_run_tells_ledger_and_tags_apart_within_a_kind_and_phase_7_deletes_the_unrecorded_one_too()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var names = await h.NamesAsync();
        var id = names.DeploymentId;
        var unrecorded = $"{ResourceTags.Name(id)}-unrecorded";
        h.Cloud.Groups[unrecorded] = ("sg-0unrecorded", ResourceTags.For(id, 1), []);
        Assert.True(h.Cloud.Secrets.Remove(names.AirflowTlsKeyParameter));
        var ledger = await h.Core.Store.GetLiveResourcesAsync(id);

        var plan = (await h.Get<DeallocationPlanner>().PlanAsync(default))!.Items;

        var parameters = plan.Where(i => i.Kind == AwsResourceKinds.Parameter).ToList();
        Assert.Equal(ledger.Where(r => r.Kind == AwsResourceKinds.Parameter).Select(r => r.Locator), parameters.Select(p => p.Locator));
        var gone = Assert.Single(parameters, p => p.Locator == names.AirflowTlsKeyParameter);
        Assert.Equal((true, false, null), (gone.InLedger, gone.FoundByTags, gone.State));
        Assert.All(parameters.Where(p => p != gone), p => Assert.Equal((true, true, "SecureString"), (p.InLedger, p.FoundByTags, p.State)));
        var groups = plan.Where(i => i.Kind == AwsResourceKinds.SecurityGroup).ToList();
        Assert.Equal([names.AirflowSecurityGroup, unrecorded], groups.Select(g => g.Locator));
        Assert.Equal((true, true, h.Cloud.Groups[names.AirflowSecurityGroup].Id), (groups[0].InLedger, groups[0].FoundByTags, groups[0].State));
        Assert.Equal((false, true, "sg-0unrecorded"), (groups[1].InLedger, groups[1].FoundByTags, groups[1].State));

        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());

        Succeeded(teardown, await h.Core.LogTextAsync(teardown));
        Assert.DoesNotContain(unrecorded, h.Cloud.Groups.Keys);
        Assert.Empty(await h.Cloud.FindTaggedAsync(id, default));
    }

    /// <summary>
    /// An instance EC2 will not terminate is named with what it costs and what to do; two are named together, in the
    /// plural. The group they keep in use is tried once, not waited for.
    /// </summary>
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
        // Still in use by the instance: tried once, not waited for (with the second instance too, each an item of the plan).
        var group = h.Cloud.Groups[(await h.NamesAsync()).AirflowSecurityGroup].Id;
        Assert.Equal(1, h.Cloud.Calls.Count(c => c == $"delete group {group}"));
        Assert.Equal(secondByHand ? 2 : 1, (await h.Cloud.FindTaggedAsync(id, default)).Count(t => t.Kind == AwsResourceKinds.Instance));
    }
}
