using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.S3.Model;
using Amazon.SimpleSystemsManagement.Model;
using Cord19.Core.Aws;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Aws;
using Ec2Tag = Amazon.EC2.Model.Tag;

namespace Cord19.Tests.Aws;

/// <summary>
/// The tag sweep, phase 7's last word and the orphans' only source, read against moto's listings: each listing's
/// filters must keep what still bills or blocks a deletion and pass over what has ended and what is another deployment's.
/// In the same collection as the acceptance test, which resets moto too.
/// </summary>
[Collection(InProcessHostCollection.Name)]
public sealed class MotoSweepTests
{
    [MotoFact]
    public async Task The_sweep_finds_what_still_bills_or_blocks_a_deletion_and_passes_over_what_has_ended_or_is_anothers()
    {
        await Moto.ResetAsync();
        var (ours, anothers) = (Guid.NewGuid(), Guid.NewGuid());
        var connection = Moto.Connect();
        using var ec2 = connection.Ec2();
        var image = await Moto.CanonicalImageAsync(ec2);
        static List<TagSpecification> Tagged(ResourceType type, Guid deployment) =>
            [new TagSpecification { ResourceType = type, Tags = [.. ResourceTags.For(deployment, 1).Select(t => new Ec2Tag(t.Key, t.Value))] }];
        async Task<Instance> LaunchAsync(Guid deployment, string token) => (await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = image, InstanceType = InstanceType.T3Micro, MinCount = 1, MaxCount = 1, ClientToken = token,
            TagSpecifications = Tagged(ResourceType.Instance, deployment),
        })).Reservation.Instances[0];
        async Task<string> VolumeAsync(string zone) => (await ec2.CreateVolumeAsync(new CreateVolumeRequest
        {
            AvailabilityZone = zone, Size = 1, TagSpecifications = Tagged(ResourceType.Volume, ours),
        })).Volume.VolumeId;

        // Instances: running and stopped ones bill (a stopped one its disk); a terminated one is gone.
        var running = await LaunchAsync(ours, "running-token");
        var stopped = await LaunchAsync(ours, "stopped-token");
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [stopped.InstanceId] });
        var ended = await LaunchAsync(ours, "ended-token");
        await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [ended.InstanceId] });
        await LaunchAsync(anothers, "anothers-token");
        // Volumes: one left behind bills; one attached goes with its instance.
        var zone = running.Placement.AvailabilityZone;
        var leftBehind = await VolumeAsync(zone);
        var attached = await VolumeAsync(zone);
        await ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = attached, InstanceId = running.InstanceId, Device = "/dev/sdf" });
        // A spot request that launched its instance (moto fulfils one at once) stays active, and is cancelled by phase 7.
        var request = (await ec2.RequestSpotInstancesAsync(new RequestSpotInstancesRequest
        {
            InstanceCount = 1, LaunchSpecification = new LaunchSpecification { ImageId = image, InstanceType = InstanceType.T3Micro },
            TagSpecifications = Tagged(ResourceType.SpotInstancesRequest, ours),
        })).SpotInstanceRequests[0].SpotInstanceRequestId;
        // Security groups, by name.
        var ourGroup = $"{ResourceTags.Name(ours)}-airflow";
        foreach (var (name, deployment) in new[] { (ourGroup, ours), ($"{ResourceTags.Name(anothers)}-airflow", anothers) })
            await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
            {
                GroupName = name, Description = "sweep test", TagSpecifications = Tagged(ResourceType.SecurityGroup, deployment),
            });
        // Parameters, read with their tags.
        using var ssm = connection.Ssm();
        var ourParameter = $"/cord19/{ResourceTags.Short(ours)}/airflow-password";
        foreach (var (name, deployment) in new[] { (ourParameter, ours), ($"/cord19/{ResourceTags.Short(anothers)}/airflow-password", anothers) })
            await ssm.PutParameterAsync(new PutParameterRequest
            {
                Name = name, Value = "secret", Type = Amazon.SimpleSystemsManagement.ParameterType.SecureString,
                Tags = [.. ResourceTags.For(deployment, 1).Select(t => new Amazon.SimpleSystemsManagement.Model.Tag { Key = t.Key, Value = t.Value })],
            });
        // Buckets: S3 has no tag search, so the project's are found by name, then by their tags.
        using var s3 = connection.S3();
        var ourBucket = $"{ResourceTags.Name(ours)}-results";
        foreach (var (name, deployment) in new[] { (ourBucket, ours), ($"{ResourceTags.Name(anothers)}-results", anothers) })
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = name, BucketRegion = Moto.Region });
            await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest
            {
                BucketName = name, TagSet = [.. ResourceTags.For(deployment, 1).Select(t => new Amazon.S3.Model.Tag { Key = t.Key, Value = t.Value })],
            });
        }
        // Roles: IAM has no tag search either; a deployment's own sit under its path, the shared ones directly under the project's.
        var trust = PolicyDocument.Of(new { Effect = "Allow", Principal = new { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" });
        var ourRole = $"{ResourceTags.Name(ours)}-instance";
        foreach (var (name, path) in new[] { (ourRole, $"{AwsCloud.RolePath}{ours}/"), ($"{ResourceTags.Name(anothers)}-instance", $"{AwsCloud.RolePath}{anothers}/"), ("cord19-shared", AwsCloud.RolePath) })
            await connection.Api.QueryAsync(AwsService.Iam, "CreateRole", new AwsParameters()
                .Add("RoleName", name).Add("Path", path).Add("AssumeRolePolicyDocument", trust), default);
        using var cloud = new AwsCloud(connection);

        var found = await cloud.FindTaggedAsync(ours, default);

        Assert.All(found, f => Assert.Equal(ours.ToString(), f.DeploymentId));
        Assert.Equal(((List<(string, string)>)
            [
                (AwsResourceKinds.Bucket, ourBucket), (AwsResourceKinds.Instance, "running-token"), (AwsResourceKinds.Instance, "stopped-token"),
                (AwsResourceKinds.Parameter, ourParameter), (AwsResourceKinds.Role, ourRole), (AwsResourceKinds.SecurityGroup, ourGroup),
                (AwsResourceKinds.SpotRequest, request), (AwsResourceKinds.Volume, leftBehind),
            ]).Order(),
            found.Select(f => (f.Kind, f.Locator)).Order());
        // Without a deployment: every deployment's, each with the deployment its tags or its path name.
        var everyone = await cloud.FindTaggedAsync(null, default);
        Assert.Equal(found.Count + 5, everyone.Count); // another's instance, group, parameter, bucket and role
        Assert.Equal(5, everyone.Count(f => f.DeploymentId == anothers.ToString()));
        Assert.DoesNotContain(everyone, f => f.Locator == "cord19-shared");
    }
}
