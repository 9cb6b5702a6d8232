using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Support.Aws.AwsTargetHarness;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// The ledger records an instance or a cluster just before the call that creates it (crash safety). When AWS refuses
/// that call nothing exists, so the entries end at once and the meters price nothing; when the call may have gone
/// through (AWS failing after its retries), they stay for the guards and phase 7.
/// </summary>
public sealed class AwsRefusedCreationTests
{
    [Fact]
    public async Task A_cluster_Redshift_has_no_room_for_is_neither_metered_nor_blamed_on_a_quota()
    {
        var (h, state) = await ClusterRefusedAsync("InsufficientClusterCapacity", "There is not enough capacity to create the cluster with node type ra3.large.");
        await using var _ = h;

        FailedSaying(state, "AWS has no room for redshift:CreateCluster (InsufficientClusterCapacity", "Redshift has no room for this node type here now",
            "the panel's metadata file");
        Assert.DoesNotContain("quota", state.LatestRun!.Reason);
        Assert.Contains($"AWS created nothing, so the ledger no longer counts redshift-cluster {ResourceTags.Name(await h.DeploymentIdAsync())} or redshift-compute",
            await h.Core.LogTextAsync(state));
        var meters = await h.MetersInAnHourAsync();
        Assert.Equal((0m, 0m), (Meter(meters, MeterKind.RedshiftCluster).BurnRatePerHour, Meter(meters, MeterKind.RedshiftStorage).BurnRatePerHour));
        Assert.True(Meter(meters, MeterKind.RedshiftCluster).Accrued + Meter(meters, MeterKind.RedshiftStorage).Accrued < 0.001m); // the moment between record and refusal

    }

    /// <summary>Redshift makes its service-linked role on an account's first cluster, as the caller: a refusal of that is a permission to grant, named.</summary>
    [Fact]
    public async Task A_first_cluster_refused_for_want_of_Redshift_s_service_linked_role_names_the_grant_and_the_command()
    {
        var (h, state) = await ClusterRefusedAsync("AccessDenied", "The caller is not authorized to create the service-linked role AWSServiceRoleForRedshift");
        await using var _ = h;

        FailedSaying(state, "AWS denied redshift:CreateCluster (AccessDenied)",
            "Allow iam:CreateServiceLinkedRole for redshift.amazonaws.com", "aws iam create-service-linked-role --aws-service-name redshift.amazonaws.com");
    }

    private static Core.Aws.AwsException DependencyUnavailable() => FakeAwsCloud.Error("redshift:CreateCluster", "DependentServiceUnavailableFault",
        "Your request cannot be completed because a dependent internal service is temporarily unavailable. Wait 30 to 60 seconds and try again.");

    /// <summary>Redshift's model says to wait 30 to 60 seconds out and ask again: phase 2 does, rather than fail.</summary>
    [Fact]
    public async Task Phase_two_waits_out_a_service_Redshift_depends_on_being_unavailable()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.CreateClusterRefusals.Enqueue(DependencyUnavailable());
        h.Cloud.CreateClusterRefusals.Enqueue(FakeAwsCloud.Error("redshift:CreateCluster", "DependentServiceRequestThrottlingFault",
            "The request cannot be completed because a dependent service is throttling requests made by Amazon Redshift on your behalf. Wait and retry the request."));

        var state = await h.Core.RunAsync(2);

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Empty(h.Cloud.CreateClusterRefusals);
        Assert.Contains("Redshift says a service it depends on is busy or unavailable (DependentServiceRequestThrottlingFault); asking again", await h.Core.LogTextAsync(state));
    }

    [Fact]
    public async Task A_service_Redshift_depends_on_that_stays_unavailable_fails_phase_two_with_nothing_metered()
    {
        var (h, state) = await ClusterRefusedAsync("DependentServiceUnavailableFault", DependencyUnavailable().AwsMessage);
        await using var _ = h;

        FailedSaying(state, "Redshift still answered DependentServiceUnavailableFault after 12 tries", "no cluster was made", "Run phase 2 again later");
        Assert.Contains("AWS created nothing, so the ledger no longer counts redshift-cluster", await h.Core.LogTextAsync(state));
        Assert.Equal(0m, Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftCluster).BurnRatePerHour);
    }

    /// <summary>Phase 1, then phase 2 with its CreateCluster refused as <paramref name="code"/>.</summary>
    private static async Task<(AwsTargetHarness H, PhaseState State)> ClusterRefusedAsync(string code, string message)
    {
        var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.CreateClusterFailure = FakeAwsCloud.Error("redshift:CreateCluster", code, message);
        return (h, await h.Core.RunAsync(2));
    }

    [Fact]
    public async Task A_paused_cluster_Redshift_will_not_resume_is_not_metered_as_running()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var cluster = ResourceTags.Name(await h.DeploymentIdAsync());
        h.Cloud.SqlFailure = sql => sql.StartsWith("unload", StringComparison.Ordinal)
            ? FakeAwsCloud.Error("redshift-data:ExecuteStatement", AwsCloud.StatementFailed, "S3ServiceException:Access Denied,Status 403,Error AccessDenied")
            : null;
        Assert.Equal(PhaseStatus.Failed, (await h.Core.RunAsync(2)).Status); // paused on its way out, before its export
        await h.Cloud.FindClusterAsync(cluster, default); // Redshift shows "pausing" for a look
        Assert.Equal("paused", (await h.Cloud.FindClusterAsync(cluster, default))!.Status);
        h.Cloud.ResumeClusterFailure = FakeAwsCloud.Error("redshift:ResumeCluster", "InsufficientClusterCapacity", "There is not enough capacity to resume the cluster.");

        FailedSaying(await h.Core.RunAsync(2), "AWS has no room for redshift:ResumeCluster", "run phase 2 again later");

        Assert.Equal(0m, Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftCluster).BurnRatePerHour);
        Assert.True(Meter(await h.MetersInAnHourAsync(), MeterKind.RedshiftStorage).BurnRatePerHour > 0m); // the paused cluster's storage, which exists
    }

    [Fact]
    public async Task An_instance_no_zone_has_room_for_is_not_metered_but_one_AWS_may_have_launched_is()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.RunInstancesFailure = FakeAwsCloud.Error("ec2:RunInstances", "InsufficientInstanceCapacity", "There is no Spot capacity available that matches your request.");

        FailedSaying(await h.Core.RunAsync(1), "AWS has no room for ec2:RunInstances");

        Assert.Equal(0m, Meter(await h.MetersInAnHourAsync(), MeterKind.Ec2Instance).BurnRatePerHour);

        // A launch that met AWS failing after the SDK's retries may have started an instance: it stays metered until a
        // look at EC2 (the ended-instance guard, phase 1 again, phase 7) says otherwise.
        h.Cloud.RunInstancesFailure = FakeAwsCloud.Error("ec2:RunInstances", "InternalError", "An internal error has occurred.", System.Net.HttpStatusCode.InternalServerError);

        FailedSaying(await h.Core.RunAsync(1), "AWS kept failing ec2:RunInstances");

        Assert.True(Meter(await h.MetersInAnHourAsync(), MeterKind.Ec2Instance).BurnRatePerHour > 0m);
    }
}
