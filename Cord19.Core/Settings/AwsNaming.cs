using System.Net;
using System.Text.RegularExpressions;

namespace Cord19.Core.Settings;

/// <summary>The shapes of the AWS names and numbers Settings accept, checked before anything reaches AWS.</summary>
public static partial class AwsNaming
{
    public static bool IsRegion(string? value) => RegionProblem(value) is null;

    /// <summary>
    /// Null for a region AWS lists; otherwise what is wrong and the nearest real names. The list is the AWS SDK's
    /// (AWSSDK.Core's endpoint data, updated with each SDK release), so a typo such as us-eats-2 is refused here,
    /// not discovered as failed calls later.
    /// </summary>
    public static string? RegionProblem(string? value)
    {
        if (value is null || !Region().IsMatch(value))
            return $"AWS region '{value}' is not a region name: use one such as us-east-2.";
        if (KnownRegions.Contains(value)) return null;
        var near = KnownRegions.Where(r => r.Split('-')[0] == value.Split('-')[0]).Order(StringComparer.Ordinal).Take(6).ToList();
        return $"AWS region '{value}' is not one AWS lists: use one such as {(near.Count > 0 ? string.Join(", ", near) : "us-east-2")}.";
    }

    public static IReadOnlySet<string> KnownRegions { get; } = Amazon.RegionEndpoint.EnumerableAllRegions
        .Select(r => r.SystemName).Where(n => Region().IsMatch(n)).ToHashSet(StringComparer.Ordinal);

    public static bool IsAirflowVersion(string? value) => value is not null && AirflowRelease().IsMatch(value);

    public static bool IsInstanceType(string? value) => value is not null && InstanceType().IsMatch(value);

    /// <summary>Null for a usable IPv4 block; otherwise what is wrong with it and what to write.</summary>
    public static string? CidrProblem(string value)
    {
        var parts = value.Trim().Split('/');
        // Written as four decimal numbers: IPAddress also reads "203.0.113" (as 203.0.0.113) and octal "010.0.0.1", which
        // AWS would refuse only once phase 1 opens the security group.
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || address.ToString() != parts[0] || !int.TryParse(parts[1], out var bits) || bits is < 0 or > 32)
            return $"Operator address '{value}' is not an IPv4 block: write your public address with /32, e.g. 203.0.113.7/32, or leave it empty to look it up.";
        if (bits < 16)
            return $"Operator address '{value}' opens Airflow to {Math.Pow(2, 32 - bits):N0} addresses: use /16 or narrower (your own address with /32 is best).";
        return null;
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]$")]
    private static partial Regex Region();

    [GeneratedRegex(@"^[23]\.[0-9]{1,2}\.[0-9]{1,2}$")]
    private static partial Regex AirflowRelease();

    [GeneratedRegex(@"^[a-z][a-z0-9-]*\.[a-z0-9]+$")]
    private static partial Regex InstanceType();
}
