using Amazon.EC2;
using Amazon.EC2.Model;
using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    public async Task<string> DefaultVpcAsync(CancellationToken ct)
    {
        var vpcs = await AwsCall.RunAsync("ec2:DescribeVpcs", () => Ec2.DescribeVpcsAsync(new DescribeVpcsRequest
        {
            Filters = [new Filter("isDefault", ["true"])],
        }, ct));
        return vpcs.Vpcs?.FirstOrDefault()?.VpcId
            ?? throw new AwsException("ec2:DescribeVpcs", "NoDefaultVpc",
                $"region {Region} has no default VPC. Create one (`aws ec2 create-default-vpc --region {Region}`) or choose another region in Settings", null);
    }

    public async Task<IReadOnlyList<DefaultSubnet>> DefaultSubnetsAsync(CancellationToken ct)
    {
        var subnets = await AwsCall.RunAsync("ec2:DescribeSubnets", () => Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest
        {
            Filters = [new Filter("default-for-az", ["true"])],
        }, ct));
        return [.. (subnets.Subnets ?? []).Select(s => new DefaultSubnet(s.SubnetId, s.AvailabilityZone, s.MapPublicIpOnLaunch ?? false)).OrderBy(s => s.AvailabilityZone, StringComparer.Ordinal)];
    }

    public async Task<VpcPublicAccessBlock> VpcPublicAccessBlockAsync(CancellationToken ct)
    {
        var options = (await AwsCall.RunAsync("ec2:DescribeVpcBlockPublicAccessOptions",
            () => Ec2.DescribeVpcBlockPublicAccessOptionsAsync(new DescribeVpcBlockPublicAccessOptionsRequest(), ct))).VpcBlockPublicAccessOptions;
        var mode = options?.InternetGatewayBlockMode?.Value ?? "off";
        var allowed = options?.ExclusionsAllowed?.Value != "not-allowed";
        if (mode == "off") return new(mode, allowed, []);

        // The one EC2 listing here the SDK has no paginator for.
        var request = new DescribeVpcBlockPublicAccessExclusionsRequest();
        var exclusions = new List<PublicAccessExclusion>();
        do
        {
            var page = await AwsCall.RunAsync("ec2:DescribeVpcBlockPublicAccessExclusions", () => Ec2.DescribeVpcBlockPublicAccessExclusionsAsync(request, ct));
            // Only an exclusion made (or changed) and not being undone lets traffic through.
            exclusions.AddRange((page.VpcBlockPublicAccessExclusions ?? [])
                .Where(e => e.State?.Value is "create-complete" or "update-complete" && e.ResourceArn is not null && e.InternetGatewayExclusionMode is not null)
                .Select(e => new PublicAccessExclusion(e.ResourceArn[(e.ResourceArn.LastIndexOf('/') + 1)..], e.InternetGatewayExclusionMode.Value)));
            request.NextToken = page.NextToken;
        }
        while (!string.IsNullOrEmpty(request.NextToken));
        return new(mode, allowed, exclusions);
    }

    public async Task<string?> FindSecurityGroupAsync(string name, string vpcId, CancellationToken ct)
    {
        var groups = await AwsCall.RunAsync("ec2:DescribeSecurityGroups", () => Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
        {
            Filters = [new Filter("group-name", [name]), new Filter("vpc-id", [vpcId])],
        }, ct));
        return groups.SecurityGroups?.FirstOrDefault()?.GroupId;
    }

    public async Task<string> CreateSecurityGroupAsync(string name, string description, string vpcId, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var created = await AwsCall.RunAsync("ec2:CreateSecurityGroup", () => Ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
        {
            GroupName = name,
            Description = description,
            VpcId = vpcId,
            TagSpecifications = [Tagged(ResourceType.SecurityGroup, tags)],
        }, ct));
        return created.GroupId;
    }

    public Task AllowIngressAsync(string groupId, int port, string cidr, string description, CancellationToken ct) =>
        IgnoreAsync(AwsErrorKind.AlreadyExists, () => AwsCall.RunAsync("ec2:AuthorizeSecurityGroupIngress", () => Ec2.AuthorizeSecurityGroupIngressAsync(
            new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Rule(port, new IpRange { CidrIp = cidr, Description = description })] }, ct)));

    public Task RevokeIngressAsync(string groupId, int port, string cidr, CancellationToken ct) =>
        // EC2 answers InvalidPermission.NotFound for a rule that is gone already.
        IgnoreAsync(AwsErrorKind.NotFound, () => AwsCall.RunAsync("ec2:RevokeSecurityGroupIngress", () => Ec2.RevokeSecurityGroupIngressAsync(
            new RevokeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Rule(port, new IpRange { CidrIp = cidr })] }, ct)));

    private static IpPermission Rule(int port, IpRange range) => new() { IpProtocol = "tcp", FromPort = port, ToPort = port, Ipv4Ranges = [range] };

    public async Task<GroupIngress?> IngressAsync(string groupName, int port, CancellationToken ct)
    {
        var groups = await AwsCall.RunAsync("ec2:DescribeSecurityGroups", () => Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
        {
            Filters = [new Filter("group-name", [groupName])],
        }, ct));
        return groups.SecurityGroups?.FirstOrDefault() is { } group
            ? new GroupIngress(group.GroupId, [.. (group.IpPermissions ?? []).Where(p => p.FromPort <= port && port <= p.ToPort)
                .SelectMany(p => p.Ipv4Ranges ?? []).Select(r => new AdmittedRange(r.CidrIp, r.Description))])
            : null;
    }

    public Task DeleteSecurityGroupAsync(string groupId, CancellationToken ct) =>
        IgnoreAsync(AwsErrorKind.NotFound, () => AwsCall.RunAsync("ec2:DeleteSecurityGroup",
            () => Ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = groupId }, ct)));

    private static TagSpecification Tagged(ResourceType type, IReadOnlyDictionary<string, string> tags) => new()
    {
        ResourceType = type,
        Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList(),
    };
}
