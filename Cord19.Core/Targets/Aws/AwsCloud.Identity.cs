using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    /// <summary>The project's roles live under this IAM path (a deployment's own under /cord19/&lt;deployment id&gt;/), so the sweep can list them without reading every role.</summary>
    public const string RolePath = "/cord19/";

    public async Task<string?> FindRoleAsync(string name, CancellationToken ct)
    {
        try
        {
            var answer = await Api.QueryAsync(AwsService.Iam, "GetRole", new AwsParameters().Add("RoleName", name), ct);
            return answer.Find("Role").Text("Arn");
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            return null;
        }
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

    /// <summary>Creates what is missing of the role (trust, inline policy, instance profile); keeps what is there.</summary>
    public async Task<string> EnsureRoleAsync(RoleSpec spec, CancellationToken ct)
    {
        var arn = await FindRoleAsync(spec.Name, ct);
        if (arn is null)
        {
            var trust = PolicyDocument.Of(new { Effect = "Allow", Principal = new { Service = spec.TrustedService }, Action = "sts:AssumeRole" });
            var created = await Api.QueryAsync(AwsService.Iam, "CreateRole", new AwsParameters()
                .Add("RoleName", spec.Name)
                .Add("Path", spec.Path)
                .Add("Description", spec.Description)
                .Add("AssumeRolePolicyDocument", trust)
                .Tags("Tags", "member", ResourceTags.Shared), ct);
            arn = created.Find("Role").Text("Arn") ?? throw new AwsException("iam:CreateRole", "UnreadableResponse", "the answer had no role ARN", null);
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
        var policies = await Api.QueryAsync(AwsService.Iam, "ListRolePolicies", new AwsParameters().Add("RoleName", name), ct);
        foreach (var policy in policies.Find("PolicyNames")?.Elements().Select(e => e.Value) ?? [])
            await IgnoreAsync(AwsErrorKind.NotFound, () => Api.QueryAsync(AwsService.Iam, "DeleteRolePolicy",
                new AwsParameters().Add("RoleName", name).Add("PolicyName", policy), ct));
        await IgnoreAsync(AwsErrorKind.NotFound, () => Api.QueryAsync(AwsService.Iam, "DeleteRole", new AwsParameters().Add("RoleName", name), ct));
    }

    public async Task<IReadOnlyList<DeniedAction>> DeniedActionsAsync(string principalArn, IReadOnlyList<string> actions, CancellationToken ct)
    {
        var denied = new List<DeniedAction>();
        // The simulator takes at most 128 action names per call.
        foreach (var chunk in actions.Chunk(100))
        {
            var answer = await Api.QueryAsync(AwsService.Iam, "SimulatePrincipalPolicy", new AwsParameters()
                .Add("PolicySourceArn", principalArn).List("ActionNames", "member", chunk), ct);
            foreach (var result in answer.Find("EvaluationResults")?.Elements() ?? [])
                if (result.Text("EvalDecision") is { } decision && decision != "allowed")
                    denied.Add(new DeniedAction(result.Text("EvalActionName") ?? "?", decision));
        }
        return denied;
    }
}
