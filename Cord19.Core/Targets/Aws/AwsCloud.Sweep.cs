using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;
using Cord19.Core.Aws;
using Ec2Filter = Amazon.EC2.Model.Filter;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    private const string BucketPrefix = "cord19-";

    public async Task<IReadOnlyList<TaggedResource>> FindTaggedAsync(Guid? deploymentId, CancellationToken ct)
    {
        var (key, value) = deploymentId is { } id ? (ResourceTags.DeploymentKey, id.ToString()) : (ResourceTags.ProjectKey, ResourceTags.ProjectValue);
        var found = new List<TaggedResource>();
        found.AddRange(await TaggedInstancesAsync(key, value, ct));
        found.AddRange(await TaggedSpotRequestsAsync(key, value, ct));
        found.AddRange(await TaggedVolumesAsync(key, value, ct));
        found.AddRange(await TaggedSecurityGroupsAsync(key, value, ct));
        found.AddRange(await TaggedClustersAsync(key, value, ct));
        found.AddRange(await ClusterSnapshotsAsync(deploymentId, ct));
        found.AddRange(await TaggedParametersAsync(key, value, ct));
        found.AddRange(await TaggedBucketsAsync(key, value, ct));
        found.AddRange(await DeploymentRolesAsync(deploymentId, ct));
        return found;
    }

    private static string? DeploymentOf(IEnumerable<(string Key, string Value)> tags) =>
        tags.FirstOrDefault(t => t.Key == ResourceTags.DeploymentKey).Value;

    private async Task<IEnumerable<TaggedResource>> TaggedInstancesAsync(string key, string value, CancellationToken ct)
    {
        var reservations = await AwsCall.ListAsync("ec2:DescribeInstances", Ec2.Paginators.DescribeInstances(new DescribeInstancesRequest
        {
            Filters = [new Ec2Filter($"tag:{key}", [value]), new Ec2Filter("instance-state-name", ["pending", "running", "shutting-down", "stopping", "stopped"])],
            MaxResults = 1000,
        }).Reservations, ct);
        return reservations.SelectMany(r => r.Instances ?? []).Select(i => new TaggedResource(AwsResourceKinds.Instance,
            i.ClientToken ?? i.InstanceId, DeploymentOf((i.Tags ?? []).Select(t => (t.Key, t.Value))), $"{i.State?.Name?.Value} ({i.InstanceId})"));
    }

    private async Task<IEnumerable<TaggedResource>> TaggedSpotRequestsAsync(string key, string value, CancellationToken ct)
    {
        var requests = await AwsCall.ListAsync("ec2:DescribeSpotInstanceRequests", Ec2.Paginators.DescribeSpotInstanceRequests(new DescribeSpotInstanceRequestsRequest
        {
            Filters = [new Ec2Filter($"tag:{key}", [value]), new Ec2Filter("state", ["open", "active"])],
            MaxResults = 1000,
        }).SpotInstanceRequests, ct);
        return requests.Select(r => new TaggedResource(AwsResourceKinds.SpotRequest, r.SpotInstanceRequestId,
            DeploymentOf((r.Tags ?? []).Select(t => (t.Key, t.Value))), r.State?.Value ?? "unknown"));
    }

    private async Task<IEnumerable<TaggedResource>> TaggedVolumesAsync(string key, string value, CancellationToken ct)
    {
        var volumes = await AwsCall.ListAsync("ec2:DescribeVolumes", Ec2.Paginators.DescribeVolumes(new DescribeVolumesRequest
        {
            // In use: goes with its instance (delete on termination). Available: left behind, so listed.
            Filters = [new Ec2Filter($"tag:{key}", [value]), new Ec2Filter("status", ["available", "creating", "error"])],
            MaxResults = 500,
        }).Volumes, ct);
        return volumes.Select(v => new TaggedResource(AwsResourceKinds.Volume, v.VolumeId,
            DeploymentOf((v.Tags ?? []).Select(t => (t.Key, t.Value))), v.State?.Value ?? "unknown"));
    }

    private async Task<IEnumerable<TaggedResource>> TaggedSecurityGroupsAsync(string key, string value, CancellationToken ct)
    {
        var groups = await AwsCall.ListAsync("ec2:DescribeSecurityGroups", Ec2.Paginators.DescribeSecurityGroups(new DescribeSecurityGroupsRequest
        {
            Filters = [new Ec2Filter($"tag:{key}", [value])],
            MaxResults = 1000,
        }).SecurityGroups, ct);
        return groups.Select(g => new TaggedResource(AwsResourceKinds.SecurityGroup, g.GroupName,
            DeploymentOf((g.Tags ?? []).Select(t => (t.Key, t.Value))), g.GroupId));
    }

    internal async Task<IEnumerable<TaggedResource>> TaggedClustersAsync(string key, string value, CancellationToken ct)
    {
        var clusters = await Api.QueryListAsync(AwsService.Redshift, "DescribeClusters", "Clusters", () => new AwsParameters()
            .List("TagKeys", "TagKey", [key]).List("TagValues", "TagValue", [value]), ct);
        return clusters.Select(c => new TaggedResource(AwsResourceKinds.Cluster,
            c.Text("ClusterIdentifier") ?? "?", DeploymentOf(c.Members("Tags").Select(t => (t.Text("Key") ?? "", t.Text("Value") ?? ""))),
            c.Text("ClusterStatus") ?? "unknown"));
    }

    /// <summary>
    /// The manual snapshots of the deployment's cluster (of every cluster the panel names, for the orphans), known by the
    /// cluster's name: a snapshot need not carry its cluster's tags. Without a deployment to ask for, each has the
    /// deployment tag it carries, if any (<see cref="AwsReconciler"/> keeps the live cluster's untagged ones out of the orphans).
    /// An operator policy attached before the panel looked for snapshots does not allow the listing: the sweep then goes
    /// on without them rather than stop phase 7 before it deletes anything (the checklist names the missing action).
    /// </summary>
    internal async Task<IEnumerable<TaggedResource>> ClusterSnapshotsAsync(Guid? deploymentId, CancellationToken ct)
    {
        try
        {
            return (await ManualSnapshotsAsync(deploymentId is { } id ? ResourceTags.Name(id) : null, ct)).Select(s => new TaggedResource(
                AwsResourceKinds.ClusterSnapshot, s.Locator, deploymentId?.ToString() ?? s.DeploymentId, s.Status, s.CreatedAt));
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.Denied)
        {
            return [];
        }
    }

    private async Task<IEnumerable<TaggedResource>> TaggedParametersAsync(string key, string value, CancellationToken ct)
    {
        var found = new List<TaggedResource>();
        var request = new DescribeParametersRequest
        {
            ParameterFilters = [new ParameterStringFilter { Key = $"tag:{key}", Values = [value] }],
        };
        foreach (var page in await AwsCall.ListAsync("ssm:DescribeParameters", Ssm.Paginators.DescribeParameters(request).Responses, ct))
        {
            foreach (var parameter in page.Parameters ?? [])
            {
                var tags = await AwsCall.RunAsync("ssm:ListTagsForResource", () => Ssm.ListTagsForResourceAsync(new ListTagsForResourceRequest
                {
                    ResourceType = Amazon.SimpleSystemsManagement.ResourceTypeForTagging.Parameter,
                    ResourceId = parameter.Name,
                }, ct));
                found.Add(new TaggedResource(AwsResourceKinds.Parameter, parameter.Name,
                    DeploymentOf((tags.TagList ?? []).Select(t => (t.Key, t.Value))), parameter.Type?.Value ?? "parameter"));
            }
        }
        return found;
    }

    internal async Task<IEnumerable<TaggedResource>> DeploymentRolesAsync(Guid? deploymentId, CancellationToken ct)
    {
        // IAM has no tag search: a deployment's own roles sit under /cord19/<deployment id>/; the shared ones directly under /cord19/.
        var roles = await Api.QueryListAsync(AwsService.Iam, "ListRoles", "Roles", () => new AwsParameters().Add("PathPrefix", RolePath + (deploymentId?.ToString() ?? "")), ct);
        return roles
            .Select(r => (Name: r.Text("RoleName") ?? "?", Owner: (r.Text("Path") ?? "")[RolePath.Length..].Trim('/')))
            .Where(r => Guid.TryParse(r.Owner, out _))
            .Select(r => new TaggedResource(AwsResourceKinds.Role, r.Name, r.Owner, "role"));
    }

    private async Task<IEnumerable<TaggedResource>> TaggedBucketsAsync(string key, string value, CancellationToken ct)
    {
        // S3 has no tag search: list the project's buckets by name and read their tags.
        var found = new List<TaggedResource>();
        foreach (var bucket in await OwnBucketsAsync(BucketPrefix, ct))
        {
            var tags = await BucketTagsAsync(bucket, ct);
            if (tags.Any(t => t.Key == key && t.Value == value))
                found.Add(new TaggedResource(AwsResourceKinds.Bucket, bucket, DeploymentOf(tags), "bucket"));
        }
        return found;
    }

    /// <summary>A bucket's tags; none for one untagged, gone, or in another region (S3 redirects the request there).</summary>
    private async Task<IReadOnlyList<(string Key, string Value)>> BucketTagsAsync(string bucket, CancellationToken ct)
    {
        try
        {
            var tags = await AwsCall.RunAsync("s3:GetBucketTagging", () => S3.GetBucketTaggingAsync(new() { BucketName = bucket }, ct));
            return [.. (tags.TagSet ?? []).Select(t => (t.Key, t.Value))];
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound || ex.Code is "NoSuchTagSet" or "PermanentRedirect" or "NotImplemented")
        {
            return [];
        }
    }
}
