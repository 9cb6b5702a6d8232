namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The checklist's line for what IAM's policy simulator denies the caller. Each denied action is named with the resource
/// it was asked on, and the fix follows what refused it: attaching the operator policy lifts only an action nothing
/// allows, not a Deny statement, a permissions boundary or the organization's service control policies.
/// </summary>
public static class PermissionsCheck
{
    public const string Name = "Permissions";

    public const string AttachFix = "Attach the policy in Cord19.Core/Targets/Aws/operator-policy.json (GET /api/aws/operator-policy) to your user or role.";

    public static CheckItem Judge(IReadOnlyList<DeniedAction> denied, string principal, string region)
    {
        if (denied.Count == 0)
            return new(Name, CheckOutcome.Passed, $"IAM allows all {OperatorPolicy.Actions.Count} actions the panel uses to {principal}, on the project's resources in {region}.");
        var fixes = new List<string>();
        if (denied.Any(d => d.FixedByAttaching)) fixes.Add(AttachFix);
        if (Actions(denied.Where(d => d.ByDenyStatement)) is { } refused)
            fixes.Add($"A Deny statement in a policy of yours refuses {refused}, and no Allow lifts a Deny: remove it, or ask whoever added it.");
        if (Actions(denied.Where(d => d.ByPermissionsBoundary)) is { } bounded)
            fixes.Add($"Your permissions boundary leaves out {bounded}: ask your administrator to add them to it.");
        if (Actions(denied.Where(d => d.ByServiceControlPolicy)) is { } organization)
            fixes.Add($"Your organization's service control policies refuse {organization}, which no policy in this account can lift: ask your organization's administrator to allow them here.");
        return new(Name, CheckOutcome.Failed,
            $"IAM denies {denied.Count} of the {OperatorPolicy.Actions.Count} actions the panel uses: {string.Join(", ", denied.Select(d => d.Described))}.",
            string.Join(" ", fixes));
    }

    private static string? Actions(IEnumerable<DeniedAction> denied) =>
        denied.Select(d => d.Action).ToList() is { Count: > 0 } actions ? string.Join(", ", actions) : null;
}
