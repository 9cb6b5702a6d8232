using Cord19.Core.Aws;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Whether IAM lets the Spectrum role do what phase 2's statements will ask of it: read the lake's Glue table and files,
/// and write the export into a deployment's bucket. Asked of IAM's policy simulator, which weighs the role's policy, its
/// boundary and the organization's service control policies: a refusal there would otherwise show only once a cluster
/// bills its node-hours. Lake Formation, where it governs the catalogue, is not asked (the statements' own failure names
/// its grant, <see cref="SpectrumStatementFailure"/>). Red, for what something refuses (a Deny, the boundary, the
/// organization), stops phase 2 before it creates the cluster; amber, for what the role's policy does not show yet or a
/// simulator that cannot be asked, lets it go on.
/// </summary>
public static class SpectrumAccessCheck
{
    public const string Name = "Spectrum role's access";

    /// <summary>What the statements touch, in <paramref name="account"/> and <paramref name="region"/>: an example deployment's bucket for the export.</summary>
    public static IReadOnlyList<PermissionProbe> Probes(string account, string region)
    {
        var glue = $"arn:aws:glue:{region}:{account}";
        var export = new AwsNames(Guid.Empty, account, region);
        var none = new Dictionary<string, string>(StringComparer.Ordinal);
        return
        [
            new(["glue:GetDatabase", "glue:GetTable"], [$"{glue}:catalog", $"{glue}:database/{AwsNames.LakeDatabase}", $"{glue}:table/{AwsNames.LakeDatabase}/{AwsNames.LakeTable}"], none),
            new(["s3:ListBucket"], [$"arn:aws:s3:::{DataLakeCheck.LakeBucket}"], none),
            new(["s3:GetObject"], [$"arn:aws:s3:::{DataLakeCheck.LakeBucket}/alleninstitute/CORD19/json/metadata/example.json"], none),
            // The role writes only to the account's own buckets (aws:ResourceAccount), as S3 says a deployment's is.
            new(["s3:PutObject"], [$"arn:aws:s3:::{export.Bucket}/{export.ExportKey}"], new Dictionary<string, string>(StringComparer.Ordinal) { ["aws:ResourceAccount"] = account }),
        ];
    }

    /// <param name="roleArn">The role as its caller found or made it (the checklist's role line, phase 2's roles step); null when missing.</param>
    public static async Task<CheckItem> JudgeAsync(IAwsCloud cloud, PipelineSettings settings, string account, string? roleArn, CancellationToken ct)
    {
        if (DataLakeCheck.NotNeeded(settings) is { } notNeeded)
            return new(Name, CheckOutcome.Passed, notNeeded);
        if (roleArn is null)
            return new(Name, CheckOutcome.Warning, $"The role {AwsNames.SpectrumRole} does not exist yet, so what IAM lets it do cannot be asked.",
                "Press 'Create the roles', then run the checks again (phase 2 creates it too, and asks then).");
        IReadOnlyList<DeniedAction> denied;
        try
        {
            denied = await cloud.DeniedActionsAsync(roleArn, Probes(account, cloud.Region), ct);
        }
        catch (AwsException ex) when (ex.Kind is not AwsErrorKind.Credentials)
        {
            return new(Name, CheckOutcome.Warning, $"IAM's policy simulator could not be asked about {roleArn}: {ex.Cause}", ex.Fix);
        }
        if (denied.Count == 0)
            return new(Name, CheckOutcome.Passed,
                $"IAM lets {roleArn} read the lake's Glue table and files and write the export, as phase 2's statements will.");
        var listed = string.Join(", ", denied.Select(d => d.Described));
        // Nothing refuses them, the role's own policy just does not show them: IAM takes a while to show a role just
        // made, or just given its policy (as phase 2 does), to the simulator, so this is no reason to stop.
        if (denied.All(d => d.FixedByAttaching))
            return new(Name, CheckOutcome.Warning,
                $"IAM's simulator does not show {roleArn} allowed {listed}: a role just made or given its policy takes a little while to reach it; " +
                "if it stays so, the role's policy is an earlier version's.",
                "Run the checks again in a minute; if it stays so, press 'Create the roles' to put this version's policy on it.");
        return new(Name, CheckOutcome.Failed,
            $"IAM would refuse {roleArn} {listed}, so phase 2's Spectrum statements would fail once its cluster bills.",
            Fix(denied, roleArn, account));
    }

    private static string Fix(IReadOnlyList<DeniedAction> denied, string roleArn, string account)
    {
        var fixes = new List<string>();
        if (denied.Any(d => d.ByServiceControlPolicy))
            fixes.Add($"Your organization's service control policies refuse it, which no policy in this account can lift: ask the organization's administrator to allow it for {roleArn}, or {DataLakeCheck.PanelFile}.");
        if (denied.Any(d => d.ByPermissionsBoundary))
            fixes.Add($"The role boundary in this account leaves it out: {RoleBoundary.UpdateFixIn(account)}");
        if (denied.Any(d => d.ByDenyStatement))
            fixes.Add("A Deny statement in a policy on the role refuses it: remove it, or ask whoever added it.");
        if (denied.Any(d => d.FixedByAttaching))
            fixes.Add("The role's own policy does not show the rest yet: if that stays so, press 'Create the roles' to put this version's policy on it.");
        return string.Join(" ", fixes);
    }
}
