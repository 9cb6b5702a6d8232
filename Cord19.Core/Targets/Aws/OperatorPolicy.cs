using System.Text.Json;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The least-privilege IAM policy for whoever runs the panel (Cord19.Core/Targets/Aws/operator-policy.json): what the
/// seven phases, the checklist and teardown call, with roles passed only to EC2 and Redshift (its clusters and its scheduler) and only the project's
/// own; deletion, Run Command, database credentials and ingress rules only on the project's own resources. The checklist asks
/// IAM's policy simulator which of these actions the caller is denied on the project's resources (<see cref="Probes"/>).
/// </summary>
public static class OperatorPolicy
{
    private const string ResourceName = "Cord19.Core.Targets.Aws.operator-policy.json";

    public static string Json { get; } = PolicyDocument.Embedded(ResourceName);

    /// <summary>The file's statements, read once: its actions, resource patterns and the values each condition key allows.</summary>
    private static readonly IReadOnlyList<Statement> Statements = StatementsOf(Json);

    /// <summary>Every action the policy allows, once each, in the file's order.</summary>
    public static IReadOnlyList<string> Actions { get; } = Statements.SelectMany(s => s.Actions).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// What to ask IAM's policy simulator so that this policy, attached as it is, passes: each statement's actions on an
    /// example of its own resources in the caller's account and region, with the context its conditions test, one probe
    /// per value a condition allows (a role passed to EC2, to Redshift, to Redshift's scheduler; a role with the boundary).
    /// </summary>
    public static IReadOnlyList<PermissionProbe> Probes(string account, string region) =>
        Statements.SelectMany(statement =>
        {
            var resources = statement.Resources.Where(r => r != "*").Select(r => Example(r, account, region)).ToList();
            IEnumerable<Dictionary<string, string>> contexts = [new(StringComparer.Ordinal)];
            foreach (var (key, values) in statement.Conditions)
                contexts = contexts.SelectMany(context => values.Select(value => new Dictionary<string, string>(context, StringComparer.Ordinal)
                {
                    // A value that is an ARN pattern (the role boundary's) stands for the ARN a real call sends: the caller's.
                    [key] = value.StartsWith("arn:", StringComparison.Ordinal) ? Example(value, account, region) : value,
                }));
            return contexts.Select(context => new PermissionProbe(statement.Actions, resources, context));
        }).ToList();

    /// <summary>
    /// An ARN the pattern matches: "*" for region and account become the caller's, except that AWS's own parameters and
    /// documents (arn:aws:ssm:us-east-2::parameter/aws/service/…) name no account; any other "*" becomes "example".
    /// </summary>
    private static string Example(string pattern, string account, string region)
    {
        var parts = pattern.Split(':', 6);
        if (parts.Length < 6) return pattern.Replace("*", "example", StringComparison.Ordinal);
        var resource = parts[5];
        var awsOwned = resource.StartsWith("parameter/aws/", StringComparison.Ordinal) || resource.StartsWith("document/AWS-", StringComparison.Ordinal);
        if (parts[3] == "*") parts[3] = region;
        if (parts[4] == "*") parts[4] = awsOwned ? "" : account;
        parts[5] = resource.Replace("*", "example", StringComparison.Ordinal);
        return string.Join(':', parts);
    }

    private static List<string> Strings(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(a => a.GetString()!).ToList() : [e.GetString()!];

    private static List<Statement> StatementsOf(string json)
    {
        using var policy = JsonDocument.Parse(json);
        return policy.RootElement.GetProperty("Statement").EnumerateArray()
            .Select(s => new Statement(
                Strings(s.GetProperty("Action")),
                Strings(s.GetProperty("Resource")),
                s.TryGetProperty("Condition", out var condition)
                    ? condition.EnumerateObject().SelectMany(test => test.Value.EnumerateObject()).Select(key => (key.Name, Strings(key.Value))).ToList()
                    : []))
            .ToList();
    }

    private sealed record Statement(IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, IReadOnlyList<(string Key, List<string> Values)> Conditions);
}
