using System.Text.Json;
using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    /// <summary>The shared roles live under this IAM path, so the sweep can list them without reading every role.</summary>
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

    /// <summary>Creates what is missing of the role (trust, inline policy, managed policies, instance profile); keeps what is there.</summary>
    public async Task<string> EnsureRoleAsync(RoleSpec spec, CancellationToken ct)
    {
        var arn = await FindRoleAsync(spec.Name, ct);
        if (arn is null)
        {
            var trust = JsonSerializer.Serialize(new
            {
                Version = "2012-10-17",
                Statement = new[] { new { Effect = "Allow", Principal = new { Service = spec.TrustedService }, Action = "sts:AssumeRole" } },
            });
            var created = await Api.QueryAsync(AwsService.Iam, "CreateRole", new AwsParameters()
                .Add("RoleName", spec.Name)
                .Add("Path", RolePath)
                .Add("Description", spec.Description)
                .Add("AssumeRolePolicyDocument", trust)
                .Tags("Tags", "member", ResourceTags.Shared), ct);
            arn = created.Find("Role").Text("Arn") ?? throw new AwsException("iam:CreateRole", "UnreadableResponse", "the answer had no role ARN", null);
        }
        await Api.QueryAsync(AwsService.Iam, "PutRolePolicy", new AwsParameters()
            .Add("RoleName", spec.Name).Add("PolicyName", spec.InlinePolicyName).Add("PolicyDocument", spec.InlinePolicy), ct);
        foreach (var policy in spec.ManagedPolicyArns)
            await Api.QueryAsync(AwsService.Iam, "AttachRolePolicy", new AwsParameters().Add("RoleName", spec.Name).Add("PolicyArn", policy), ct);

        if (spec.WithInstanceProfile && !await InstanceProfileReadyAsync(spec.Name, ct))
        {
            try
            {
                await Api.QueryAsync(AwsService.Iam, "CreateInstanceProfile", new AwsParameters()
                    .Add("InstanceProfileName", spec.Name).Add("Path", RolePath).Tags("Tags", "member", ResourceTags.Shared), ct);
            }
            catch (AwsException ex) when (ex.Kind == AwsErrorKind.AlreadyExists) { }
            await Api.QueryAsync(AwsService.Iam, "AddRoleToInstanceProfile", new AwsParameters()
                .Add("InstanceProfileName", spec.Name).Add("RoleName", spec.Name), ct);
        }
        return arn;
    }
}
