using System.Globalization;
using System.Text.RegularExpressions;

namespace Cord19.Core.Targets.Aws;

public sealed record AwsIdentity(string Account, string Arn, string UserId);

/// <summary>A resource found in the account by its tags; <see cref="Kind"/> uses the ledger's kinds.</summary>
/// <param name="Since">When it began to bill, where AWS says and the panel may not have seen it (a snapshot's creation).</param>
public sealed record TaggedResource(string Kind, string Locator, string? DeploymentId, string State, DateTimeOffset? Since = null);

/// <summary>
/// A manual snapshot of a Redshift cluster: a final snapshot the console kept when it deleted the cluster, or one taken
/// by hand. Redshift keeps it, and bills it as backup storage, until someone deletes it.
/// </summary>
/// <param name="DeploymentId">Its deployment tag, when it carries one (a snapshot need not carry its cluster's tags).</param>
/// <param name="CreatedAt">When Redshift began taking it; null when it does not say.</param>
public sealed record ClusterSnapshot(string Identifier, string Cluster, string Status, DateTimeOffset? CreatedAt, string? DeploymentId = null)
{
    /// <summary>Its ledger locator, which names the cluster too, as its ARN does: deleting it names both.</summary>
    public string Locator => AwsResourceKinds.SnapshotLocator(Cluster, Identifier);
}

public sealed record RoleSpec(string Name, string TrustedService, string Description, string InlinePolicyName, string InlinePolicy,
    bool WithInstanceProfile, string Path);

public sealed record InstanceSpec(
    string ClientToken,
    string ImageId,
    string InstanceType,
    decimal MaxPricePerHour,
    int VolumeGigabytes,
    string SecurityGroupId,
    string InstanceProfileName,
    string UserData,
    IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>
    /// For a burstable (T) type only. T3 spot instances default to unlimited credits, which bill surplus CPU at $0.05 per
    /// vCPU-hour (more than the spot price itself) and which the meter cannot see; standard mode throttles instead, which
    /// is why the default type is not burstable (<see cref="Settings.PipelineSettings.DefaultInstanceType"/>).
    /// </summary>
    public string CpuCredits { get; init; } = "standard";

    /// <summary>The zone to launch in (its default subnet); null lets EC2 choose one.</summary>
    public string? AvailabilityZone { get; init; }

    /// <summary>A T type (t2, t3, t3a, t4g): its CPU runs on credits, and only it takes a credit specification.</summary>
    public static bool IsBurstable(string instanceType) => instanceType.Length > 1 && instanceType[0] == 't' && char.IsDigit(instanceType[1]);
}

/// <param name="MemoryMiB">EC2's MemoryInfo.SizeInMiB.</param>
/// <param name="Architectures">EC2's names: x86_64, arm64, i386, x86_64_mac, arm64_mac.</param>
/// <param name="Burstable">EC2's BurstablePerformanceSupported: a T type, whose CPU runs on credits.</param>
/// <param name="OfferedAsSpot">Whether EC2's SupportedUsageClasses name spot; null when EC2 did not say.</param>
public sealed record InstanceTypeFacts(string Name, int? Vcpus, long? MemoryMiB, IReadOnlyList<string> Architectures,
    bool Burstable = false, bool? OfferedAsSpot = null);

/// <summary>
/// A spot instance pending or running in the region, whoever launched it: its vCPUs count against the account's spot
/// quota. <paramref name="Deployment"/> is the panel's deployment tag, when it carries one.
/// </summary>
public sealed record RunningSpotInstance(string InstanceId, string InstanceType, Guid? Deployment);

/// <summary>An instance type's current spot price in one availability zone.</summary>
public sealed record ZoneSpotPrice(string AvailabilityZone, decimal PerHour);

/// <summary>
/// A filter of AWS's Price List: <paramref name="Field"/> is a product attribute (regionCode, instanceType, …);
/// TERM_MATCH is an exact match, CONTAINS a substring.
/// </summary>
public sealed record PriceFilter(string Field, string Value, string Type = "TERM_MATCH");

/// <summary>
/// One on-demand rate of a product in AWS's Price List: a tiered product (S3 storage) has one a tier, from
/// <paramref name="BeginRange"/> of <paramref name="Unit"/> on.
/// </summary>
public sealed record ListedPrice(string Sku, string? ProductFamily, IReadOnlyDictionary<string, string> Attributes, string Unit, decimal Usd,
    string BeginRange, DateOnly? EffectiveDate, string Description);

/// <summary>What AWS's bill says of a cost allocation tag: Active (costs split by it), Inactive, or never seen (null).</summary>
public enum CostAllocationTagState
{
    Active,
    Inactive,
}

/// <summary>What AWS billed one service for the resources carrying a tag, over some days; <paramref name="Estimated"/> while the days are still open.</summary>
public sealed record BilledService(string Service, decimal Usd, bool Estimated);

/// <summary>A default subnet of the default VPC (one per availability zone), and whether EC2 gives its instances a public IPv4 address.</summary>
public sealed record DefaultSubnet(string SubnetId, string AvailabilityZone, bool AssignsPublicAddress);

/// <summary>
/// The region's VPC Block Public Access: its mode ("off", "block-bidirectional", "block-ingress"), whether its
/// organization lets an account exclude VPCs from it, and the exclusions in force.
/// </summary>
public sealed record VpcPublicAccessBlock(string Mode, bool ExclusionsAllowed, IReadOnlyList<PublicAccessExclusion> Exclusions);

/// <summary>A VPC or subnet (its id, from the exclusion's ARN) that VPC Block Public Access leaves open, in <paramref name="Mode"/> ("allow-bidirectional", "allow-egress").</summary>
public sealed record PublicAccessExclusion(string ResourceId, string Mode);

/// <summary>An IAM role, and the permissions boundary it carries, when it has one.</summary>
public sealed record IamRole(string Arn, string? BoundaryArn);

/// <summary>A security group and the IPv4 ranges one of its ports admits, each with its rule's description.</summary>
public sealed record GroupIngress(string GroupId, IReadOnlyList<AdmittedRange> Admitted)
{
    public IReadOnlyList<string> Ranges => [.. Admitted.Select(a => a.Cidr)];
}

/// <summary>An IPv4 range a port admits, and its rule's description (who opened it), when it has one.</summary>
public sealed record AdmittedRange(string Cidr, string? Description);

/// <param name="State">EC2's: pending, running, shutting-down, terminated, stopping, stopped.</param>
/// <param name="SpotState">The spot request's state (open, active, closed, cancelled, failed), when there is one.</param>
public sealed partial record InstanceState(string InstanceId, string State, string? PublicIp, string? SpotRequestId, string? SpotState, string? StateReason)
{
    /// <summary>Where it runs: the live spot price is the one of this zone.</summary>
    public string? AvailabilityZone { get; init; }

    /// <summary>What EC2 launched it as: Settings' first choice or one of its fallbacks; its spot price is this type's.</summary>
    public string? InstanceType { get; init; }

    /// <summary>The idempotency token it was launched under: the deployment's first instance's, or a replacement's.</summary>
    public string? ClientToken { get; init; }

    /// <summary>When EC2 launched it; its first boot, which fixes its end of life, follows within a minute or two.</summary>
    public DateTimeOffset? LaunchedAt { get; init; }

    /// <summary>
    /// When its end began, where EC2 states it: a stop or terminate through the console or API carries the time in
    /// its transition reason ("User initiated (2026-12-03 10:00:00 GMT)"); its own shutdown carries none.
    /// </summary>
    public DateTimeOffset? EndStatedAt { get; init; }

    /// <summary>The time in EC2's transition reason (GMT; emulators write UTC), or null.</summary>
    public static DateTimeOffset? StatedTime(string? transitionReason) =>
        transitionReason is not null && StatedTimePattern().Match(transitionReason) is { Success: true } m
        && DateTimeOffset.TryParseExact(m.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime()
            : null;

    [GeneratedRegex(@"\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)")]
    private static partial Regex StatedTimePattern();

    public bool HasEnded => State is "terminated" or "shutting-down" or "stopped" or "stopping";

    /// <summary>It shut itself down (EC2's Client.InstanceInitiatedShutdown): at its maximum lifetime, or someone's shutdown inside it.</summary>
    public bool EndedItself => StateReason?.Contains("InstanceInitiatedShutdown", StringComparison.Ordinal) == true;

    /// <summary>
    /// Why an ended instance ended, in words, with EC2's reason (its code names the cause: see EC2's StateReason),
    /// so an operator who comes back to a terminated instance knows whether its lifetime, AWS or a person ended it.
    /// </summary>
    public string EndedBecause => StateReason switch
    {
        null or "" => "AWS gave no reason",
        var r when EndedItself =>
            $"it shut itself down, as it does at the deployment's maximum lifetime ({r})",
        var r when r.Contains("SpotInstanceTermination", StringComparison.Ordinal) || r.Contains("SpotInstanceShutdown", StringComparison.Ordinal) =>
            $"AWS took the spot capacity back, a spot interruption{At} ({r})",
        var r when r.Contains("UserInitiatedShutdown", StringComparison.Ordinal) => $"someone ended it through EC2's console or API{At} ({r})",
        var r => r,
    };

    private string At => EndStatedAt is { } at ? $" at {at:yyyy-MM-dd HH:mm} UTC" : "";
}

public sealed record ClusterSpec(
    string Identifier,
    string NodeType,
    int Nodes,
    string Database,
    string MasterUser,
    string MasterPassword,
    string SpectrumRoleArn,
    string SecurityGroupId,
    IReadOnlyDictionary<string, string> Tags);

/// <summary>
/// A one-time pause of <paramref name="Cluster"/> by Redshift's own scheduler at <paramref name="At"/> (UTC), which
/// happens whether or not the panel is running then; <paramref name="RoleArn"/> is the role the scheduler acts as.
/// </summary>
public sealed record PauseSchedule(string Name, string Cluster, DateTimeOffset At, string RoleArn, string Description);

/// <param name="Status">Redshift's: creating, available, pausing, paused, resuming, deleting, modifying, …</param>
public sealed record ClusterState(string Identifier, string Status, string? Address, int? Port);

/// <summary>
/// SSM's limits on a Run Command script: the agent must take it within <paramref name="Delivery"/> (TimeoutSeconds), and
/// it is ended when still running after <paramref name="Execution"/> (AWS-RunShellScript's executionTimeout).
/// </summary>
public sealed record RunCommandLimits(TimeSpan Delivery, TimeSpan Execution)
{
    /// <summary>
    /// How long the panel follows a script: as long as SSM lets it live, and a minute for the agent to report its end.
    /// Giving up sooner would leave it running, and a second run of the phase would race it on the instance.
    /// </summary>
    public TimeSpan Followed => Delivery + Execution + TimeSpan.FromMinutes(1);
}

public sealed record CommandState(string Status, string? Output, string? Error)
{
    public bool IsFinished => Status is "Success" or "Failed" or "Cancelled" or "TimedOut" or "Undeliverable" or "Terminated" or "DeliveryTimedOut" or "ExecutionTimedOut";
}

public sealed record SqlResult(long Rows, string? FirstValue);

public sealed record LakeTable(string Database, string Table, string? Location, int Columns)
{
    /// <summary>The bucket of an s3:// location, or null.</summary>
    public string? Bucket => Location is { } l && l.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)
        ? l[5..].Split('/', 2)[0] is { Length: > 0 } b ? b : null
        : null;

    /// <summary>The key prefix of an s3:// location ("" for a whole bucket).</summary>
    public string Prefix => Location is { } l && l.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) && l[5..].Split('/', 2) is [_, var p] ? p : "";
}

/// <summary>An IAM action the caller may not perform, as IAM's policy simulator answered.</summary>
/// <param name="Decision">implicitDeny (nothing allows it) or explicitDeny (a Deny statement refuses it).</param>
/// <param name="Resource">The resource it was refused on, when the simulator names one.</param>
public sealed record DeniedAction(string Action, string Decision, string? Resource = null)
{
    /// <summary>The organization's service control policies refuse it: no policy the caller attaches can lift that.</summary>
    public bool ByServiceControlPolicy { get; init; }

    /// <summary>The caller's permissions boundary refuses it: attaching a policy does not widen a boundary.</summary>
    public bool ByPermissionsBoundary { get; init; }

    /// <summary>A Deny statement refuses it (of the caller's policies, or of the boundary or organization when those are set).</summary>
    public bool Explicit => Decision == "explicitDeny";

    /// <summary>Only an Allow is missing (the operator policy attached, the role's policy put): nothing denies it, nothing allows it.</summary>
    public bool FixedByAttaching => !Explicit && !ByServiceControlPolicy && !ByPermissionsBoundary;

    /// <summary>A Deny statement of the principal's own policies refuses it, not its boundary's or its organization's.</summary>
    public bool ByDenyStatement => Explicit && !ByServiceControlPolicy && !ByPermissionsBoundary;

    /// <summary>The action, the resource it was asked on, and what refused it, as the checklist lists it.</summary>
    public string Described => Action + (Resource is { } resource ? $" on {resource}" : "") +
        (ByServiceControlPolicy ? " (service control policy)" : ByPermissionsBoundary ? " (permissions boundary)" : Explicit ? " (a Deny statement)" : "");
}

/// <summary>
/// Actions to ask IAM's policy simulator about, on the resources the panel uses them on and with the request's context
/// (a resource's tag, the service a role is passed to). Without resources the simulator asks about "*", and a policy
/// that allows an action on the project's resources only, as the operator policy does, is then denied it.
/// </summary>
/// <param name="Resources">Example ARNs of the project's resources; empty for actions that take "*".</param>
public sealed record PermissionProbe(IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, IReadOnlyDictionary<string, string> Context);
