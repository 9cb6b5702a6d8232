using System.Xml.Linq;
using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    /// <summary>The project's roles live under this IAM path (a deployment's own under /cord19/&lt;deployment id&gt;/), so the sweep can list them without reading every role.</summary>
    public const string RolePath = "/cord19/";

    public async Task<IamRole?> FindRoleAsync(string name, CancellationToken ct)
    {
        XElement answer;
        try
        {
            answer = await Api.QueryAsync(AwsService.Iam, "GetRole", new AwsParameters().Add("RoleName", name), ct);
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            return null;
        }
        var role = answer.Find("Role");
        return new IamRole(role.Text("Arn") ?? throw new AwsException("iam:GetRole", "UnreadableResponse", "the answer had no role ARN", null),
            role.Find("PermissionsBoundary").Text("PermissionsBoundaryArn"));
    }

    public async Task<RoleBoundaryState> RoleBoundaryAsync(string account, CancellationToken ct)
    {
        var arn = RoleBoundary.ArnIn(account);
        XElement policy;
        try
        {
            policy = await Api.QueryAsync(AwsService.Iam, "GetPolicy", new AwsParameters().Add("PolicyArn", arn), ct);
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            return RoleBoundaryState.Missing;
        }
        var version = await Api.QueryAsync(AwsService.Iam, "GetPolicyVersion", new AwsParameters()
            .Add("PolicyArn", arn).Add("VersionId", policy.Find("Policy").Text("DefaultVersionId")), ct);
        // IAM answers the document URL-encoded (RFC 3986).
        var document = Uri.UnescapeDataString(version.Find("PolicyVersion").Text("Document") ?? "{}");
        return PolicyDocument.SameGrants(document, RoleBoundary.Json) ? RoleBoundaryState.Current : RoleBoundaryState.Differs;
    }

    public async Task<bool> InstanceProfileReadyAsync(string name, CancellationToken ct)
    {
        try
        {
            var answer = await Api.QueryAsync(AwsService.Iam, "GetInstanceProfile", new AwsParameters().Add("InstanceProfileName", name), ct);
            return answer.Find("Roles")?.Elements().Any(m => m.Text("RoleName") == name) == true;
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            return false;
        }
    }

    public async Task<string> EnsureRoleAsync(RoleSpec spec, string account, CancellationToken ct)
    {
        var boundary = RoleBoundary.ArnIn(account);
        var role = await FindRoleAsync(spec.Name, ct);
        string arn;
        if (role is null)
        {
            var trust = PolicyDocument.Of(new { Effect = "Allow", Principal = new { Service = spec.TrustedService }, Action = "sts:AssumeRole" });
            var created = await Api.QueryAsync(AwsService.Iam, "CreateRole", new AwsParameters()
                .Add("RoleName", spec.Name)
                .Add("Path", spec.Path)
                .Add("Description", spec.Description)
                .Add("AssumeRolePolicyDocument", trust)
                .Add("PermissionsBoundary", boundary)
                .Tags("Tags", "member", ResourceTags.Shared), ct);
            arn = created.Find("Role").Text("Arn") ?? throw new AwsException("iam:CreateRole", "UnreadableResponse", "the answer had no role ARN", null);
        }
        else
        {
            arn = role.Arn;
            // A shared role made by an earlier version has none, and the operator policy lets its policy be put only on a
            // role with the boundary: set it first (which only narrows what the role may do).
            if (role.BoundaryArn != boundary)
                await Api.QueryAsync(AwsService.Iam, "PutRolePermissionsBoundary", new AwsParameters()
                    .Add("RoleName", spec.Name).Add("PermissionsBoundary", boundary), ct);
        }
        await Api.QueryAsync(AwsService.Iam, "PutRolePolicy", new AwsParameters()
            .Add("RoleName", spec.Name).Add("PolicyName", spec.InlinePolicyName).Add("PolicyDocument", spec.InlinePolicy), ct);

        if (spec.WithInstanceProfile && !await InstanceProfileReadyAsync(spec.Name, ct))
        {
            try
            {
                await Api.QueryAsync(AwsService.Iam, "CreateInstanceProfile", new AwsParameters()
                    .Add("InstanceProfileName", spec.Name).Add("Path", spec.Path).Tags("Tags", "member", ResourceTags.Shared), ct);
            }
            catch (AwsException ex) when (ex.Kind == AwsErrorKind.AlreadyExists) { }
            await Api.QueryAsync(AwsService.Iam, "AddRoleToInstanceProfile", new AwsParameters()
                .Add("InstanceProfileName", spec.Name).Add("RoleName", spec.Name), ct);
        }
        return arn;
    }

    public async Task DeleteRoleAsync(string name, CancellationToken ct)
    {
        // IAM refuses to delete a role that still has inline policies or sits in an instance profile: undo those first (the panel attaches no managed ones).
        if (await FindRoleAsync(name, ct) is null) return;
        await IgnoreAsync(AwsErrorKind.NotFound, () => Api.QueryAsync(AwsService.Iam, "RemoveRoleFromInstanceProfile",
            new AwsParameters().Add("InstanceProfileName", name).Add("RoleName", name), ct));
        await IgnoreAsync(AwsErrorKind.NotFound, () => Api.QueryAsync(AwsService.Iam, "DeleteInstanceProfile",
            new AwsParameters().Add("InstanceProfileName", name), ct));
        var policies = await Api.QueryListAsync(AwsService.Iam, "ListRolePolicies", "PolicyNames", () => new AwsParameters().Add("RoleName", name), ct);
        foreach (var policy in policies.Select(e => e.Value))
            await IgnoreAsync(AwsErrorKind.NotFound, () => Api.QueryAsync(AwsService.Iam, "DeleteRolePolicy",
                new AwsParameters().Add("RoleName", name).Add("PolicyName", policy), ct));
        await IgnoreAsync(AwsErrorKind.NotFound, () => Api.QueryAsync(AwsService.Iam, "DeleteRole", new AwsParameters().Add("RoleName", name), ct));
    }

    public async Task<IReadOnlyList<DeniedAction>> DeniedActionsAsync(string principalArn, IReadOnlyList<PermissionProbe> probes, CancellationToken ct)
    {
        // The simulator answers at most 100 results a page by default: an action on each resource is one.
        var calls = probes.SelectMany(probe => probe.Actions.Chunk(Math.Max(1, 100 / Math.Max(1, probe.Resources.Count))).Select(chunk => (probe, chunk))).ToList();
        var answers = new IReadOnlyList<XElement>[calls.Count];
        // A few at once: the checklist waits for all of them (one per statement and condition value),
        // and IAM's request rate is the account's; a throttled call is retried.
        await Parallel.ForEachAsync(Enumerable.Range(0, calls.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            async (i, token) => answers[i] = await SimulateAsync(principalArn, calls[i].chunk, calls[i].probe, token));
        var denied = new Dictionary<string, DeniedAction>(StringComparer.Ordinal);
        foreach (var result in answers.SelectMany(a => a))
            if (!Allowed(result) && result.Text("EvalActionName") is { } action)
                denied.TryAdd(action, Denial(action, result));
        return [.. denied.Values];

        // What refused it, and where: what the operator must change differs (attach the policy, or ask whoever owns the
        // Deny, the boundary or the organization's policies).
        static DeniedAction Denial(string action, XElement result)
        {
            var onResource = result.Find("ResourceSpecificResults")?.Elements().FirstOrDefault(r => r.Text("EvalResourceDecision") != "allowed");
            var resource = onResource.Text("EvalResourceName") ?? result.Text("EvalResourceName");
            return new DeniedAction(action, onResource.Text("EvalResourceDecision") ?? result.Text("EvalDecision") ?? "implicitDeny", resource is "*" ? null : resource)
            {
                ByServiceControlPolicy = result.Child("OrganizationsDecisionDetail").Bool("AllowedByOrganizations") == false,
                ByPermissionsBoundary = (onResource.Child("PermissionsBoundaryDecisionDetail") ?? result.Child("PermissionsBoundaryDecisionDetail"))
                    .Bool("AllowedByPermissionsBoundary") == false,
            };
        }

        // With resources named, each one's own decision is under ResourceSpecificResults; the top level sums them up, and
        // IAM's model does not say how, so an action allowed on one of its resources counts as allowed.
        static bool Allowed(XElement result) =>
            result.Text("EvalDecision") == "allowed"
            || result.Find("ResourceSpecificResults")?.Elements().Any(r => r.Text("EvalResourceDecision") == "allowed") == true;
    }

    private async Task<IReadOnlyList<XElement>> SimulateAsync(string principalArn, IEnumerable<string> actions, PermissionProbe probe, CancellationToken ct)
    {
        AwsParameters Request()
        {
            var parameters = new AwsParameters().Add("PolicySourceArn", principalArn).List("ActionNames", "member", actions);
            if (probe.Resources.Count > 0) parameters.List("ResourceArns", "member", probe.Resources);
            var n = 0;
            foreach (var (key, value) in probe.Context)
            {
                n++;
                parameters.Add($"ContextEntries.member.{n}.ContextKeyName", key)
                    .List($"ContextEntries.member.{n}.ContextKeyValues", "member", [value])
                    .Add($"ContextEntries.member.{n}.ContextKeyType", "string");
            }
            return parameters;
        }
        return await Api.QueryListAsync(AwsService.Iam, "SimulatePrincipalPolicy", "EvaluationResults", Request, ct);
    }
}
