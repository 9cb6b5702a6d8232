using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;
using Cord19.Core.Aws;
using Filter = Amazon.EC2.Model.Filter;
using static Cord19.Core.Json.LenientJson;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    /// <summary>Canonical publishes its current AMI ids as public SSM parameters: no image id to keep up to date here.</summary>
    public const string UbuntuImageParameter = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id";

    /// <summary>Ubuntu 24.04's python3, which the instance's Airflow runs on; an Ubuntu release keeps its Python version for life.</summary>
    public const string UbuntuPython = "3.12";

    /// <summary>EC2's name for the architecture of that image (amd64), which the pipeline program's linux-x64 build also needs.</summary>
    public const string UbuntuArchitecture = "x86_64";

    /// <summary>Canonical's AWS account, owner of the official Ubuntu images.</summary>
    public const string CanonicalOwner = "099720109477";

    public async Task<string> UbuntuImageAsync(CancellationToken ct)
    {
        try
        {
            var answer = await AwsCall.RunAsync("ssm:GetParameter", () => Ssm.GetParameterAsync(new GetParameterRequest { Name = UbuntuImageParameter }, ct));
            return answer.Parameter.Value;
        }
        catch (AwsException ex) when (ex.Kind is AwsErrorKind.NotFound or AwsErrorKind.Denied)
        {
            // Some partitions and private endpoints lack Canonical's public parameters: ask EC2 for Canonical's newest 24.04 image.
            var images = await AwsCall.RunAsync("ec2:DescribeImages", () => Ec2.DescribeImagesAsync(new DescribeImagesRequest
            {
                Owners = [CanonicalOwner],
                Filters = [new Filter("name", ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"]), new Filter("state", ["available"])],
            }, ct));
            return (images.Images ?? []).OrderByDescending(i => i.CreationDate, StringComparer.Ordinal).FirstOrDefault()?.ImageId
                ?? throw new AwsException("ec2:DescribeImages", "NoUbuntuImage",
                    $"neither Canonical's public parameter {UbuntuImageParameter} nor Canonical's image list has Ubuntu 24.04 in {Region}", null, ex);
        }
    }

    public async Task<InstanceState> RunSpotInstanceAsync(InstanceSpec spec, CancellationToken ct)
    {
        // RunInstances with spot market options (not RequestSpotInstances: its launch specification drops security
        // groups in this SDK version). The client token makes a repeated call return the first call's instance.
        var answer = await AwsCall.RunAsync("ec2:RunInstances", () => Ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ClientToken = spec.ClientToken,
            ImageId = spec.ImageId,
            InstanceType = InstanceType.FindValue(spec.InstanceType),
            // Burstable types only: other families refuse a credit specification.
            CreditSpecification = InstanceSpec.IsBurstable(spec.InstanceType) ? new CreditSpecificationRequest { CpuCredits = spec.CpuCredits } : null,
            MinCount = 1,
            MaxCount = 1,
            SecurityGroupIds = [spec.SecurityGroupId],
            IamInstanceProfile = new IamInstanceProfileSpecification { Name = spec.InstanceProfileName },
            // In the default VPC a zone without a subnet means that zone's default subnet.
            Placement = spec.AvailabilityZone is { } zone ? new Placement { AvailabilityZone = zone } : null,
            UserData = Convert.ToBase64String(Encoding.UTF8.GetBytes(spec.UserData)),
            // The user data's self-timed shutdown (the maximum lifetime) then terminates the instance instead of stopping it.
            InstanceInitiatedShutdownBehavior = ShutdownBehavior.Terminate,
            MetadataOptions = new InstanceMetadataOptionsRequest { HttpTokens = HttpTokensState.Required, HttpEndpoint = InstanceMetadataEndpointState.Enabled },
            InstanceMarketOptions = new InstanceMarketOptionsRequest
            {
                MarketType = MarketType.Spot,
                SpotOptions = new SpotMarketOptions
                {
                    MaxPrice = spec.MaxPricePerHour.ToString(CultureInfo.InvariantCulture),
                    SpotInstanceType = SpotInstanceType.OneTime,
                    InstanceInterruptionBehavior = InstanceInterruptionBehavior.Terminate,
                },
            },
            BlockDeviceMappings =
            [
                new BlockDeviceMapping
                {
                    DeviceName = "/dev/sda1",
                    Ebs = new EbsBlockDevice { VolumeSize = spec.VolumeGigabytes, VolumeType = VolumeType.Gp3, DeleteOnTermination = true, Encrypted = true },
                },
            ],
            TagSpecifications =
            [
                Tagged(ResourceType.Instance, spec.Tags),
                Tagged(ResourceType.Volume, spec.Tags),
                Tagged(ResourceType.SpotInstancesRequest, spec.Tags),
            ],
        }, ct));
        var instance = answer.Reservation?.Instances?.FirstOrDefault()
            ?? throw new AwsException("ec2:RunInstances", "UnreadableResponse", "the answer named no instance", null);
        return new InstanceState(instance.InstanceId, instance.State?.Name?.Value ?? "pending", instance.PublicIpAddress, instance.SpotInstanceRequestId, null, null)
        {
            InstanceType = instance.InstanceType?.Value,
        };
    }

    public async Task<IReadOnlyList<InstanceState>> FindInstancesAsync(Guid deploymentId, CancellationToken ct)
    {
        // By tag, not by client token: every instance of the deployment, whatever token launched it, is found and torn down.
        var reservations = await AwsCall.ListAsync("ec2:DescribeInstances", Ec2.Paginators.DescribeInstances(new DescribeInstancesRequest
        {
            Filters = [new Filter($"tag:{ResourceTags.DeploymentKey}", [deploymentId.ToString()])],
            MaxResults = 1000,
        }).Reservations, ct);
        var found = new List<InstanceState>();
        foreach (var instance in reservations.SelectMany(r => r.Instances ?? []).OrderByDescending(i => i.LaunchTime))
        {
            string? spotState = null;
            if (instance.SpotInstanceRequestId is { } requestId)
            {
                var requests = await OrNullAsync(() => AwsCall.RunAsync("ec2:DescribeSpotInstanceRequests",
                    () => Ec2.DescribeSpotInstanceRequestsAsync(new DescribeSpotInstanceRequestsRequest { SpotInstanceRequestIds = [requestId] }, ct)));
                spotState = requests?.SpotInstanceRequests?.FirstOrDefault()?.State?.Value;
            }
            found.Add(new InstanceState(instance.InstanceId, instance.State?.Name?.Value ?? "unknown", instance.PublicIpAddress,
                instance.SpotInstanceRequestId, spotState, instance.StateReason?.Message)
            {
                AvailabilityZone = instance.Placement?.AvailabilityZone,
                InstanceType = instance.InstanceType?.Value,
                ClientToken = string.IsNullOrEmpty(instance.ClientToken) ? null : instance.ClientToken,
                LaunchedAt = instance.LaunchTime is { } launched ? new DateTimeOffset(launched.ToUniversalTime()) : null,
                EndStatedAt = InstanceState.StatedTime(instance.StateTransitionReason),
            });
        }
        return found;
    }

    public async Task<string?> ConsoleOutputAsync(string instanceId, CancellationToken ct)
    {
        GetConsoleOutputResponse answer;
        if (_withoutLatestOutput.ContainsKey(instanceId))
            answer = await ConsoleOutputAsync(instanceId, latest: false, ct);
        else
        {
            try
            {
                // The latest output, as the first boot writes it, rather than EC2's copy taken at the last state change.
                answer = await ConsoleOutputAsync(instanceId, latest: true, ct);
            }
            catch (AwsException ex) when (ex.Kind == AwsErrorKind.Other)
            {
                // Only Nitro instances have it (EC2 User Guide, "Instance console output"); an older type such as a t2 refuses
                // the request, and would otherwise never show its first-boot log or its failure. Asked every 30 s while
                // Airflow starts, so the refusal is remembered rather than met again.
                answer = await ConsoleOutputAsync(instanceId, latest: false, ct);
                _withoutLatestOutput.TryAdd(instanceId, 0);
            }
        }
        if (string.IsNullOrEmpty(answer.Output)) return null;
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(answer.Output));
        }
        catch (FormatException)
        {
            return answer.Output;
        }
    }

    /// <summary>Instances that refused the latest console output (not Nitro): an instance's type does not change while it runs.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _withoutLatestOutput = new(StringComparer.Ordinal);

    private Task<GetConsoleOutputResponse> ConsoleOutputAsync(string instanceId, bool latest, CancellationToken ct) =>
        AwsCall.RunAsync("ec2:GetConsoleOutput", () => Ec2.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = instanceId, Latest = latest }, ct));

    public Task TerminateInstanceAsync(string instanceId, CancellationToken ct) =>
        IgnoreAsync(AwsErrorKind.NotFound, () => AwsCall.RunAsync("ec2:TerminateInstances",
            () => Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] }, ct)));

    public Task CancelSpotRequestAsync(string requestId, CancellationToken ct) =>
        IgnoreAsync(AwsErrorKind.NotFound, () => AwsCall.RunAsync("ec2:CancelSpotInstanceRequests",
            () => Ec2.CancelSpotInstanceRequestsAsync(new CancelSpotInstanceRequestsRequest { SpotInstanceRequestIds = [requestId] }, ct)));

    public Task DeleteVolumeAsync(string volumeId, CancellationToken ct) =>
        IgnoreAsync(AwsErrorKind.NotFound, () => AwsCall.RunAsync("ec2:DeleteVolume",
            () => Ec2.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = volumeId }, ct)));

    public async Task<IReadOnlyList<ZoneSpotPrice>> SpotPricesAsync(string instanceType, CancellationToken ct)
    {
        var answer = await AwsCall.RunAsync("ec2:DescribeSpotPriceHistory", () => Ec2.DescribeSpotPriceHistoryAsync(new DescribeSpotPriceHistoryRequest
        {
            InstanceTypes = [instanceType],
            ProductDescriptions = ["Linux/UNIX"],
            StartTime = DateTime.UtcNow,
        }, ct));
        // Asked at StartTime = now, EC2 gives the price in effect in each zone: one entry a zone, the newest if it gives more.
        return (answer.SpotPriceHistory ?? [])
            .Where(p => p.AvailabilityZone is not null)
            .GroupBy(p => p.AvailabilityZone)
            .Select(zone => zone.MaxBy(p => p.Timestamp)!)
            .Select(p => decimal.TryParse(p.Price, NumberStyles.Float, CultureInfo.InvariantCulture, out var usd) ? new ZoneSpotPrice(p.AvailabilityZone, usd) : null)
            .OfType<ZoneSpotPrice>()
            .OrderBy(p => p.PerHour).ThenBy(p => p.AvailabilityZone, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<IReadOnlyList<Costs.PricePoint>> SpotPriceHistoryAsync(string instanceType, string availabilityZone, DateTime since, CancellationToken ct)
    {
        var request = new DescribeSpotPriceHistoryRequest
        {
            InstanceTypes = [instanceType],
            ProductDescriptions = ["Linux/UNIX"],
            AvailabilityZone = availabilityZone,
            StartTime = since,
            EndTime = DateTime.UtcNow,
        };
        var points = new List<Costs.PricePoint>();
        foreach (var price in await AwsCall.ListAsync("ec2:DescribeSpotPriceHistory", Ec2.Paginators.DescribeSpotPriceHistory(request).SpotPriceHistory, ct))
            if (decimal.TryParse(price.Price, NumberStyles.Float, CultureInfo.InvariantCulture, out var usd) && price.Timestamp is { } at)
                points.Add(new Costs.PricePoint(at.ToUniversalTime(), usd));
        // AWS lists newest first and includes the price in effect at StartTime, stamped with when it was set.
        return points.OrderBy(p => p.From).ToList();
    }

    /// <summary>
    /// The quota's applied value, or AWS's default where none is applied: Service Quotas answers NoSuchResourceException
    /// for a quota whose applied value is not available (its API reference; aws/aws-cli#6629), and the default then holds.
    /// </summary>
    public async Task<double?> SpotVcpuQuotaAsync(CancellationToken ct)
    {
        var quota = new { ServiceCode = "ec2", QuotaCode = AwsErrors.SpotVcpuQuotaCode };
        JsonElement answer;
        try
        {
            answer = await Api.JsonAsync(AwsService.ServiceQuotas, "GetServiceQuota", quota, ct);
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            answer = await Api.JsonAsync(AwsService.ServiceQuotas, "GetAWSDefaultServiceQuota", quota, ct);
        }
        return Double(Object(answer, "Quota"), "Value");
    }

    public async Task<IReadOnlyList<RunningSpotInstance>> RunningSpotInstancesAsync(CancellationToken ct)
    {
        // Spot is told from each instance's lifecycle rather than by EC2's instance-lifecycle filter, which moto does not know.
        var request = new DescribeInstancesRequest { Filters = [new Filter("instance-state-name", ["pending", "running"])], MaxResults = 1000 };
        var found = new List<RunningSpotInstance>();
        foreach (var instance in (await AwsCall.ListAsync("ec2:DescribeInstances", Ec2.Paginators.DescribeInstances(request).Reservations, ct)).SelectMany(r => r.Instances ?? []))
            if (instance.InstanceLifecycle?.Value == "spot")
                found.Add(new RunningSpotInstance(instance.InstanceId, instance.InstanceType?.Value ?? "unknown",
                    Guid.TryParse(instance.Tags?.FirstOrDefault(t => t.Key == ResourceTags.DeploymentKey)?.Value, out var deployment) ? deployment : null));
        return found;
    }

    /// <summary>
    /// EC2's answers by type, kept for the life of this region's client: what a type is does not change, and the checklist,
    /// phase 1 and the memory judgement each ask for the first choice and its fallbacks. Failures are not kept.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, InstanceTypeFacts?> _instanceTypes = new(StringComparer.Ordinal);

    public async Task<InstanceTypeFacts?> InstanceTypeAsync(string instanceType, CancellationToken ct)
    {
        if (_instanceTypes.TryGetValue(instanceType, out var known)) return known;
        return _instanceTypes[instanceType] = await DescribeInstanceTypeAsync(instanceType, ct);
    }

    private async Task<InstanceTypeFacts?> DescribeInstanceTypeAsync(string instanceType, CancellationToken ct)
    {
        DescribeInstanceTypesResponse answer;
        try
        {
            answer = await AwsCall.RunAsync("ec2:DescribeInstanceTypes", () => Ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest
            {
                InstanceTypes = [instanceType],
            }, ct));
        }
        catch (AwsException ex) when (ex.Code == "InvalidInstanceType")
        {
            return null;
        }
        return answer.InstanceTypes?.FirstOrDefault() is { } found
            ? new InstanceTypeFacts(instanceType, found.VCpuInfo?.DefaultVCpus, found.MemoryInfo?.SizeInMiB,
                [.. found.ProcessorInfo?.SupportedArchitectures ?? []], found.BurstablePerformanceSupported ?? false,
                found.SupportedUsageClasses is { } classes ? classes.Contains("spot") : null)
            : null;
    }

    public async Task<bool> CommandAgentOnlineAsync(string instanceId, CancellationToken ct)
    {
        var answer = await AwsCall.RunAsync("ssm:DescribeInstanceInformation", () => Ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest
        {
            Filters = [new InstanceInformationStringFilter { Key = "InstanceIds", Values = [instanceId] }],
        }, ct));
        return answer.InstanceInformationList?.Any(i => i.InstanceId == instanceId && i.PingStatus == Amazon.SimpleSystemsManagement.PingStatus.Online) == true;
    }

    public async Task<string> RunCommandAsync(string instanceId, IReadOnlyList<string> shellLines, RunCommandLimits limits, CancellationToken ct)
    {
        var answer = await AwsCall.RunAsync("ssm:SendCommand", () => Ssm.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = "AWS-RunShellScript",
            InstanceIds = [instanceId],
            Comment = "cord19 control panel",
            TimeoutSeconds = (int)limits.Delivery.TotalSeconds,
            Parameters = new Dictionary<string, List<string>>
            {
                ["commands"] = shellLines.ToList(),
                ["executionTimeout"] = [((int)limits.Execution.TotalSeconds).ToString(CultureInfo.InvariantCulture)],
            },
        }, ct));
        return answer.Command.CommandId;
    }

    public async Task<CommandState> GetCommandAsync(string commandId, string instanceId, CancellationToken ct)
    {
        try
        {
            var answer = await AwsCall.RunAsync("ssm:GetCommandInvocation", () => Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest
            {
                CommandId = commandId,
                InstanceId = instanceId,
            }, ct));
            return new CommandState(answer.Status?.Value ?? "Pending", answer.StandardOutputContent, answer.StandardErrorContent);
        }
        catch (AwsException ex) when (ex.Code == "InvocationDoesNotExist")
        {
            // Right after SendCommand the invocation may not be visible yet.
            return new CommandState("Pending", null, null);
        }
    }
}
