namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The tags on everything the AWS target creates. They are what the tag sweep, the orphan finder and the
/// start-up reconciliation search for, so a resource can be found even if the database never heard of it.
/// </summary>
public static class ResourceTags
{
    public const string ProjectKey = "cord19:project";
    public const string ProjectValue = "cord19";
    public const string DeploymentKey = "cord19:deployment";
    public const string PhaseKey = "cord19:phase";

    public static IReadOnlyDictionary<string, string> For(Guid deploymentId, int phase) => new Dictionary<string, string>
    {
        [ProjectKey] = ProjectValue,
        [DeploymentKey] = deploymentId.ToString(),
        [PhaseKey] = phase.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Name"] = Name(deploymentId),
    };

    /// <summary>The shared roles belong to the project, not to one deployment.</summary>
    public static IReadOnlyDictionary<string, string> Shared { get; } = new Dictionary<string, string> { [ProjectKey] = ProjectValue };

    /// <summary>What AWS's consoles show for each of a deployment's resources (its Name tag), and its cluster's name.</summary>
    public static string Name(Guid deploymentId) => $"cord19-{Short(deploymentId)}";

    /// <summary>Whether <paramref name="name"/> is one <see cref="Name"/> gives: how a snapshot, which need not carry tags, is known as the project's.</summary>
    public static bool IsName(string name) =>
        name.Length == 15 && name.StartsWith("cord19-", StringComparison.Ordinal) && !name.AsSpan(7).ContainsAnyExcept("0123456789abcdef");

    /// <summary>The first eight hex digits of a deployment id: short enough for AWS names, unique enough per account.</summary>
    public static string Short(Guid deploymentId) => deploymentId.ToString("N")[..8];
}
