using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// Where the deployment's bucket lives (<see cref="AccountRegionalBuckets"/>), against the target's seam: the account's
/// own namespace where S3 offers it, a global name where it does not, and the name a deployment recorded kept. moto checks
/// the name against S3's rule (MotoAcceptanceTests).
/// </summary>
public sealed class AwsBucketNamespaceTests
{
    [Fact]
    public async Task A_bucket_hardened_in_full_says_so_and_warns_of_nothing()
    {
        await using var h = await AwsTargetHarness.StartAsync();

        var phase = await h.Core.RunAsync(1);

        var log = await h.Core.LogTextAsync(phase);
        Assert.Contains(": public access blocked, encrypted by default, reachable over TLS only, tagged.", log);
        Assert.DoesNotContain("did not take", log);
    }

    [Fact]
    public async Task The_bucket_is_made_in_the_accounts_own_namespace_and_everything_uses_that_name()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, AwsMetadataSource = PipelineSettings.PanelMetadataSource });
        ReadyDags(h);

        for (var phase = 1; phase <= 3; phase++) Succeeded(await h.Core.RunAsync(phase), ""); // phase 2 makes no cluster

        var id = await h.DeploymentIdAsync();
        var bucket = $"cord19-{ResourceTags.Short(id)}-123456789012-us-east-2-an";
        Assert.Equal([bucket], h.Cloud.BucketsInAccountNamespace);
        var snapshot = await h.Core.Store.GetSnapshotAsync();
        Assert.Equal(bucket, Assert.Single(snapshot.Resources, r => r.Kind == AwsResourceKinds.Bucket).Locator);
        Assert.Contains($"Bucket s3://{bucket}, in this account's own namespace, so no other account can ever hold its name", await h.Core.LogTextAsync(snapshot[1]));
        Assert.Contains($"arn:aws:s3:::{bucket}/*", h.Cloud.RoleSpecs[new AwsNames(id, "123456789012", "us-east-2").InstanceRole].InlinePolicy);
        Assert.Contains($"https://{bucket}.s3.example/deploy/metadata.csv.gz", Assert.Single(h.Cloud.Commands));
    }

    [Fact]
    public async Task Where_S3_has_no_account_namespace_the_name_is_global_and_one_another_account_holds_is_refused_and_left_alone()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, AwsRegion = "me-south-1" });
        h.Cloud.HeldByAnotherAccount = _ => true;

        var refused = await h.Core.RunAsync(1);

        var id = await h.DeploymentIdAsync();
        var bucket = $"cord19-{ResourceTags.Short(id)}-123456789012";
        FailedSaying(refused, $"Another AWS account holds the bucket name {bucket}", "Run phase 7, then phase 1");
        // Not the deployment's: nothing was made after it, and phase 7 neither copies "results" from it nor deletes it.
        Assert.Empty(h.Cloud.Buckets);
        Assert.Empty(h.Cloud.Instances);
        var teardown = await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync());
        Succeeded(teardown, "");
        Assert.DoesNotContain(bucket, await h.Core.LogTextAsync(teardown));

        // The fix the message gives: the next deployment has a name nobody holds.
        h.Cloud.HeldByAnotherAccount = _ => false;
        var made = await h.Core.RunAsync(1);

        Succeeded(made, "");
        var next = $"cord19-{ResourceTags.Short(await h.DeploymentIdAsync())}-123456789012";
        Assert.NotEqual(bucket, next);
        Assert.Equal([next], h.Cloud.Buckets.Keys);
        Assert.Empty(h.Cloud.BucketsInAccountNamespace);
        Assert.Contains($"Bucket s3://{next}, in S3's global namespace (me-south-1 has no account regional one)", await h.Core.LogTextAsync(made));
    }

    [Fact]
    public async Task A_deployment_an_earlier_version_began_keeps_its_bucket_under_its_global_name()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, AwsMetadataSource = PipelineSettings.PanelMetadataSource });
        ReadyDags(h);
        Succeeded(await h.Core.RunAsync(1), "");
        // What an earlier version's phase 1 left: its ledger names a bucket in S3's global namespace.
        var id = await h.DeploymentIdAsync();
        var earlier = $"cord19-{ResourceTags.Short(id)}-123456789012";
        var snapshot = await h.Core.Store.GetSnapshotAsync();
        var made = Assert.Single(snapshot.Resources, r => r.Kind == AwsResourceKinds.Bucket);
        await h.Core.Store.MarkResourceDeletedAsync(made.Id);
        h.Cloud.Buckets.Remove(made.Locator);
        await h.Core.Store.RecordResourceAsync(snapshot[1].LatestRun!.Key, AwsResourceKinds.Bucket, earlier, "Results and the files shipped to the instance");
        await h.Cloud.EnsureBucketAsync(new AccountBucket(earlier, FakeAwsCloud.Account), inAccountNamespace: false, ResourceTags.For(id, 1), default);

        var phaseOne = await h.Core.RunAsync(1);
        Succeeded(await h.Core.RunAsync(2), "");
        Succeeded(await h.Core.RunAsync(3), "");
        Succeeded(await h.Core.RunAsync(7, confirmation: await h.ConfirmationAsync()), "");

        Succeeded(phaseOne, "");
        Assert.Contains($"Bucket s3://{earlier}, in S3's global namespace, where an earlier version of the panel made it", await h.Core.LogTextAsync(phaseOne));
        Assert.Contains($"https://{earlier}.s3.example/deploy/metadata.csv.gz", Assert.Single(h.Cloud.Commands));
        Assert.Equal([made.Locator], h.Cloud.BucketsInAccountNamespace); // made once, by the first phase 1, and never again
        Assert.Empty(h.Cloud.Buckets);
    }
}
