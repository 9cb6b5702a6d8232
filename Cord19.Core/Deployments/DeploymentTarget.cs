using System.Text.Json.Serialization;

namespace Cord19.Core.Deployments;

/// <summary>Where a deployment's phases take effect. Written "local" and "aws" in settings, the API and the database.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeploymentTarget>))]
public enum DeploymentTarget
{
    /// <summary>This machine: no AWS account, nothing billed.</summary>
    [JsonStringEnumMemberName("local")] Local,

    /// <summary>An AWS account, in the deployment's region.</summary>
    [JsonStringEnumMemberName("aws")] Aws,
}

public static class DeploymentTargets
{
    /// <summary>The written name: "local" or "aws".</summary>
    public static string Name(this DeploymentTarget target) => target switch
    {
        DeploymentTarget.Local => "local",
        DeploymentTarget.Aws => "aws",
        _ => target.ToString(),
    };

    public static bool TryParse(string? name, out DeploymentTarget target)
    {
        foreach (var candidate in Enum.GetValues<DeploymentTarget>())
            if (string.Equals(candidate.Name(), name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                target = candidate;
                return true;
            }
        target = default;
        return false;
    }
}
