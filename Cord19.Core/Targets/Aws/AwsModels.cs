namespace Cord19.Core.Targets.Aws;

public sealed record AwsIdentity(string Account, string Arn, string UserId);

/// <summary>A resource found in the account by its tags; <see cref="Kind"/> uses the ledger's kinds.</summary>
public sealed record TaggedResource(string Kind, string Locator, string? DeploymentId, string State);

public sealed record RoleSpec(string Name, string TrustedService, string Description, string InlinePolicyName, string InlinePolicy,
    IReadOnlyList<string> ManagedPolicyArns, bool WithInstanceProfile);

public sealed record InstanceSpec(
    string ClientToken,
    string ImageId,
    string InstanceType,
    decimal MaxPricePerHour,
    int VolumeGigabytes,
    string SecurityGroupId,
    string InstanceProfileName,
    string UserData,
    IReadOnlyDictionary<string, string> Tags);

/// <param name="State">EC2's: pending, running, shutting-down, terminated, stopping, stopped.</param>
/// <param name="SpotState">The spot request's state (open, active, closed, cancelled, failed), when there is one.</param>
public sealed record InstanceState(string InstanceId, string State, string? PublicIp, string? SpotRequestId, string? SpotState, string? StateReason);

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

/// <param name="Status">Redshift's: creating, available, deleting, modifying, …</param>
public sealed record ClusterState(string Identifier, string Status, string? Address, int? Port);

public sealed record CommandState(string Status, string? Output, string? Error)
{
    public bool IsFinished => Status is "Success" or "Failed" or "Cancelled" or "TimedOut" or "Undeliverable" or "Terminated" or "DeliveryTimedOut" or "ExecutionTimedOut";
}

public sealed record SqlResult(long Rows, string? FirstValue);

public sealed record LakeTable(string Database, string Table, string? Location, int Columns);
