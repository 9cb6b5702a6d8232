namespace Cord19.Core.Targets.Aws;

/// <summary>
/// What phase 1 writes at the head of an instance's ledger description once EC2 names the instance: its id and its zone
/// ("i-0abc in us-east-2b: m5.xlarge spot, max $0.2/h"). EC2 forgets a terminated instance after about an hour; the
/// ledger does not, so these are read back by the ended-instance guard (the id, to ask CloudWatch), the launch's choice
/// of token (the id a replacement is named after) and the spot price watcher (the zone an ended instance was billed in).
/// What follows names the type launched, which may be a fallback rather than Settings' first choice: the meter prices that one.
/// </summary>
public static class InstanceEntry
{
    private const string In = " in ";

    public static string Description(string instanceId, string? zone, string whatItIs) =>
        zone is null ? $"{instanceId}: {whatItIs}" : $"{instanceId}{In}{zone}: {whatItIs}";

    /// <summary>
    /// The description an entry recorded just before its launch gets once EC2 names the instance: its id and zone at the
    /// head, and the type EC2 launched in place of the one the entry named.
    /// </summary>
    public static string Named(string recorded, string instanceId, string? zone, string? instanceType) =>
        Description(instanceId, zone, instanceType is not null && InstanceType(recorded) is { } was ? instanceType + recorded[was.Length..] : recorded);

    /// <summary>What the entry says it is, before the launch and after: "m5.xlarge spot, max $0.12/h".</summary>
    public static string Spot(string instanceType, decimal maxPerHour) => $"{instanceType} spot, max ${maxPerHour}/h";

    /// <summary>The type it was launched as (or is about to be); null for a description of another shape.</summary>
    public static string? InstanceType(string? description)
    {
        if (description is null) return null;
        var what = Head(description) is { } head ? description[(head.Length + 1)..].TrimStart() : description;
        return what.IndexOf(" spot", StringComparison.Ordinal) is > 0 and var end && Settings.AwsNaming.IsInstanceType(what[..end]) ? what[..end] : null;
    }

    /// <summary>The instance's id; null for an entry recorded before the launch (or one EC2 refused).</summary>
    public static string? InstanceId(string? description) => Head(description) is { } head ? head.Split(In)[0] : null;

    /// <summary>Its availability zone; null before the launch, and for an entry an earlier version wrote without it.</summary>
    public static string? Zone(string? description) =>
        Head(description) is { } head && head.IndexOf(In, StringComparison.Ordinal) is > 0 and var at ? head[(at + In.Length)..] : null;

    private static string? Head(string? description) =>
        description is { } d && d.StartsWith("i-", StringComparison.Ordinal) && d.IndexOf(':') is > 2 and var end ? d[..end] : null;
}
