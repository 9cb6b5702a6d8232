using Cord19.Core.Deployments;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Which instance phase 1 stands on, and under which idempotency token: the one EC2 shows live, else a launch. A
/// deployment whose instance AWS ended (a spot interruption, its lifetime, a person) gets a replacement with its own
/// token, so the bucket, the roles, the parameters and the cluster with its export outlive the instance. The ledger
/// records each instance under the token that launched it (its entry's locator), so each one's meter is its own and a
/// launch repeated after a crash uses its token again.
/// </summary>
/// <param name="Token">The idempotency token, also the instance's locator in the ledger.</param>
/// <param name="Replaces">The ended instance this launch replaces; null for the deployment's first, or one already live.</param>
public sealed record InstanceLaunch(string Token, string? Replaces)
{
    /// <param name="listed">The deployment's instance as EC2 lists it (newest, the live one first); null when it lists none.</param>
    /// <param name="lives">The deployment's instance entries in the ledger, ended ones included.</param>
    public static InstanceLaunch For(DeploymentNames names, InstanceState? listed, IReadOnlyList<ResourceView> lives)
    {
        var latest = lives.Where(r => r.Kind == AwsResourceKinds.Instance).MaxBy(r => r.CreatedAt);
        // Live: the token EC2 says launched it, which is also how the tag sweep names it.
        if (listed is { HasEnded: false }) return new(listed.ClientToken ?? latest?.Locator ?? names.InstanceClientToken, null);
        if (listed is { HasEnded: true }) return new(names.ReplacementClientToken(listed.InstanceId), listed.InstanceId);
        // EC2 lists no instance: none was launched, or the last ended over an hour ago, or it was launched a moment ago
        // (EC2 may not list a new instance for a few seconds).
        if (latest is null) return new(names.InstanceClientToken, null);
        if (latest.DeletedAt is null) return new(latest.Locator, null); // the launch that recorded it, repeated: its token finds it
        // An entry that never named an instance (a refused launch) launched nothing: its token is free to use again.
        return InstanceEntry.InstanceId(latest.Description) is { } ended ? new(names.ReplacementClientToken(ended), ended) : new(latest.Locator, null);
    }
}
