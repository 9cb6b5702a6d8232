using System.Text.Json;

namespace Cord19.Core.Targets.Aws;

/// <summary>An IAM policy document (a role's trust or inline policy, a bucket policy) from its statements.</summary>
internal static class PolicyDocument
{
    public static string Of(params object[] statements) =>
        JsonSerializer.Serialize(new { Version = "2012-10-17", Statement = statements });
}
