using System.Text.Json;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The least-privilege IAM policy for whoever runs the panel (Cord19.Core/Targets/Aws/operator-policy.json): what the
/// seven phases, the checklist and teardown call, with roles passed only to EC2 and Redshift (its clusters and its scheduler) and only the project's
/// own. The checklist asks IAM's policy simulator which of these actions the caller is denied.
/// </summary>
public static class OperatorPolicy
{
    private const string ResourceName = "Cord19.Core.Targets.Aws.operator-policy.json";

    public static string Json { get; } = Load();

    /// <summary>Every action the policy allows, once each, in the file's order.</summary>
    public static IReadOnlyList<string> Actions { get; } = ActionsOf(Json);

    private static string Load()
    {
        using var stream = typeof(OperatorPolicy).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from this build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static List<string> ActionsOf(string json)
    {
        using var policy = JsonDocument.Parse(json);
        return policy.RootElement.GetProperty("Statement").EnumerateArray()
            .SelectMany(s => s.GetProperty("Action") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().Select(a => a.GetString()!) : [s.GetProperty("Action").GetString()!])
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }
}
