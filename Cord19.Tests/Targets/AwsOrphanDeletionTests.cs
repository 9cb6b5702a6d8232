using Cord19.Core.Pipeline;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// Deleting what a lost deployment left (its orphans), as the AWS page's clean-up does once the word is typed: in phase
/// 7's order, waiting out groups still in use, and past what cannot be deleted. A deployment's own resources stand in
/// for a lost one's here: the deletion does not ask whose they are, and the fake's groups are in use as EC2's are.
/// </summary>
public sealed class AwsOrphanDeletionTests
{
    [Fact]
    public async Task Orphans_go_in_phase_sevens_order_waiting_out_groups_still_in_use()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        Succeeded(await h.Core.RunAsync(2), "");
        var names = await h.NamesAsync();
        var id = names.DeploymentId;
        // An older release's Redshift group admitted the Airflow group by a rule: the Airflow group is in use until it goes.
        var (airflowGroup, redshiftGroup) = (h.Cloud.Groups[names.AirflowSecurityGroup].Id, h.Cloud.Groups[names.RedshiftSecurityGroup].Id);
        h.Cloud.Groups[names.RedshiftSecurityGroup].Ingress.Add($"5439 from {airflowGroup}");
        h.Cloud.DependencyViolationsPerGroup = 2; // a terminated instance's network interface drains
        var orphans = (await h.Cloud.FindTaggedAsync(id, default)).Reverse().ToList();

        var (deleted, failures) = await DeleteAsync(h, orphans);

        Assert.Empty(failures);
        Assert.Equal(orphans.Count, deleted.Count);
        Assert.Empty(await h.Cloud.FindTaggedAsync(id, default));
        var calls = h.Cloud.Calls.ToList();
        int At(string call) => calls.FindIndex(c => c.StartsWith(call, StringComparison.Ordinal));
        Assert.True(At("terminate") is >= 0 && At("delete cluster") is >= 0, string.Join("\n", calls));
        Assert.True(At("terminate") < At("delete group") && At("delete cluster") < At("delete group"), string.Join("\n", calls));
        Assert.True(calls.LastIndexOf($"delete group {redshiftGroup}") < calls.IndexOf($"delete group {airflowGroup}"), string.Join("\n", calls));
        Assert.StartsWith("delete bucket", calls[^1], StringComparison.Ordinal);
    }

    /// <summary>
    /// An instance EC2 will not terminate keeps its group in use: the group is tried once, not waited for, and both are
    /// listed with what to do; everything else is deleted all the same. With two such instances (the second launched
    /// by hand), each is listed, and the group is still tried once.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_orphan_instance_that_cannot_be_terminated_is_listed_with_its_fix_and_the_rest_deleted(bool secondByHand)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var names = await h.NamesAsync();
        var id = names.DeploymentId;
        var (first, spec) = Assert.Single(h.Cloud.Instances.Values);
        if (secondByHand) h.Cloud.Instances["launched-by-hand"] = (first with { InstanceId = "i-0byhand", ClientToken = "launched-by-hand" }, spec);
        h.Cloud.RefuseEveryTermination = true;
        var instances = secondByHand ? 2 : 1;
        var group = h.Cloud.Groups[names.AirflowSecurityGroup].Id;
        var orphans = await h.Cloud.FindTaggedAsync(id, default);

        var (deleted, failures) = await DeleteAsync(h, orphans);

        Assert.Equal(instances + 1, failures.Count);
        Assert.All(failures.Take(instances), f =>
        {
            Assert.StartsWith($"{AwsResourceKinds.Instance} ", f, StringComparison.Ordinal);
            Assert.Contains($"Instance {first.InstanceId} could not be terminated", f);
            Assert.EndsWith($"terminate {(secondByHand ? "them" : "it")} in the EC2 console (or fix the permission named), then delete the orphans again.", f);
        });
        Assert.StartsWith($"{AwsResourceKinds.SecurityGroup} {names.AirflowSecurityGroup}: ", failures[instances], StringComparison.Ordinal);
        Assert.Equal(1, h.Cloud.Calls.Count(c => c == $"delete group {group}"));
        Assert.Equal(orphans.Count - instances - 1, deleted.Count);
        Assert.Equal([.. Enumerable.Repeat(AwsResourceKinds.Instance, instances), AwsResourceKinds.SecurityGroup],
            (await h.Cloud.FindTaggedAsync(id, default)).Select(r => r.Kind).Order());
    }

    [Fact]
    public async Task Without_the_typed_word_no_orphan_is_looked_for_or_deleted()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.TagOnly.Add(new TaggedResource(AwsResourceKinds.Volume, "vol-orphan", Guid.NewGuid().ToString(), "available"));

        var refused = await h.Get<AwsReconciler>().DeleteOrphansAsync("us-east-2", "delete-orphans-eu-west-1", default);

        Assert.Equal($"Deleting orphans is for good: type {AwsReconciler.OrphanConfirmation("us-east-2")} to confirm.", refused.Refusal);
        Assert.DoesNotContain(h.Cloud.Calls, c => c.StartsWith("delete", StringComparison.Ordinal));
        var done = await h.Get<AwsReconciler>().DeleteOrphansAsync("us-east-2", $" {AwsReconciler.OrphanConfirmation("us-east-2")} ", default);
        Assert.Null(done.Refusal);
        Assert.Equal([$"{AwsResourceKinds.Volume} vol-orphan"], done.Deleted);
        Assert.Empty(done.Failures);
        Assert.Empty(done.Left);
    }

    private static Task<(IReadOnlyList<string> Deleted, IReadOnlyList<string> Failures)> DeleteAsync(AwsTargetHarness h, IReadOnlyList<TaggedResource> orphans)
    {
        var options = h.Get<AwsTargetOptions>();
        return new AwsTeardown(h.Cloud.Open("us-east-2"), new AwsPolling(options.PollInterval, TimeProvider.System), options)
            .DeleteOrphansAsync(new UnrecordedSteps(), orphans, default);
    }
}
