using Cord19.Core.Airflow;
using Cord19.Core.Aws;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>One line of the pre-deployment checklist: green, amber (could not tell) or red, with the fix.</summary>
public sealed record CheckItem(string Name, CheckOutcome Outcome, string Detail, string? Fix = null);

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<CheckOutcome>))]
public enum CheckOutcome { Passed, Warning, Failed }

/// <summary>
/// What must hold before phase 1 on AWS: credentials and identity, the region, AWS's COVID-19 data lake in
/// Glue, the caller's permissions, the Redshift node type, the instance type's architecture and memory, the spot vCPU
/// quota, the spot price against the max price, the shared IAM roles (created on request), the operator address the
/// security groups will allow, and what PyPI says of the Airflow release the instance will install. Each check stands
/// alone: one failure does not hide the rest.
/// </summary>
public sealed class AwsChecklist(IAwsCloudFactory clouds, AwsTargetOptions options, IAirflowReleaseIndex releases, Deployments.DeploymentStore deployments)
{
    public async Task<IReadOnlyList<CheckItem>> RunAsync(PipelineSettings settings, CancellationToken ct)
    {
        // Asked beside AWS: PyPI needs no credentials, so its line shows even when AWS cannot be reached.
        var release = AirflowReleaseAsync(settings.AirflowVersion, ct);
        var aws = AwsChecksAsync(settings, ct);
        // Both awaited, so that neither one's failure (a cancel) is left unobserved when the other's ends the run.
        await Task.WhenAll(aws, release);
        return [.. await aws, await release];
    }

    private async Task<IReadOnlyList<CheckItem>> AwsChecksAsync(PipelineSettings settings, CancellationToken ct)
    {
        try
        {
            return await clouds.WithCloudAsync(settings.AwsRegion, cloud => RunAsync(cloud, settings, ct));
        }
        catch (AwsConfigurationException ex)
        {
            // Only opening the account lets one through (each check catches its own): the region is unusable.
            return [new CheckItem("Region", CheckOutcome.Failed, ex.Message, "Settings → AWS region.")];
        }
    }

    private async Task<CheckItem> AirflowReleaseAsync(string version, CancellationToken ct)
    {
        try
        {
            return AirflowReleaseCheck.Judge(await releases.LookUpAsync(version, ct), options.InstancePython);
        }
        catch (PackageIndexUnreachableException ex)
        {
            return AirflowReleaseCheck.Unreachable(ex);
        }
    }

    private async Task<IReadOnlyList<CheckItem>> RunAsync(IAwsCloud cloud, PipelineSettings settings, CancellationToken ct)
    {
        var items = new List<CheckItem>();
        AwsIdentity? me = null;
        var identified = await CheckAsync(items, "Identity", async () =>
        {
            me = await cloud.WhoAmIAsync(ct);
            return new CheckItem("Identity", CheckOutcome.Passed, $"Account {me.Account} as {me.Arn}.");
        });
        if (!identified)
        {
            items.Add(new CheckItem("Other checks", CheckOutcome.Warning, "Skipped: they need working credentials.", "Fix the identity check first."));
            return items;
        }

        string? vpc = null;
        await CheckAsync(items, "Region", async () =>
            new CheckItem("Region", CheckOutcome.Passed, $"{settings.AwsRegion}, default VPC {vpc = await cloud.DefaultVpcAsync(ct)}."));
        if (vpc is not null)
        {
            IReadOnlyList<DefaultSubnet> subnets = [];
            await CheckAsync(items, PublicAddressCheck.Name, async () => PublicAddressCheck.Judge(vpc, subnets = await cloud.DefaultSubnetsAsync(ct)));
            await CheckAsync(items, VpcPublicAccessCheck.Name, () => VpcPublicAccessCheck.JudgeAsync(cloud, vpc, subnets, ct));
        }

        await CheckAsync(items, DataLakeCheck.Name, () => DataLakeCheck.JudgeAsync(cloud, settings, ct));

        await CheckAsync(items, "Permissions", () => PermissionsAsync(cloud, me!, settings.AwsRegion, ct));

        await CheckAsync(items, "Redshift node type", async () =>
        {
            if (DataLakeCheck.NotNeeded(settings) is { } notNeeded)
                return new CheckItem("Redshift node type", CheckOutcome.Passed, notNeeded);
            bool orderable;
            try
            {
                orderable = await cloud.NodeTypeOrderableAsync(settings.RedshiftNodeType, ct);
            }
            catch (AwsException ex) when (ex.Kind is not AwsErrorKind.Credentials)
            {
                return new CheckItem("Redshift node type", CheckOutcome.Warning, $"Could not ask Redshift which node types it offers: {ex.Cause}", ex.Fix);
            }
            return orderable
                ? new CheckItem("Redshift node type", CheckOutcome.Passed, $"{settings.RedshiftNodes} × {settings.RedshiftNodeType} can be created in {settings.AwsRegion}.")
                : new CheckItem("Redshift node type", CheckOutcome.Failed, $"Redshift does not offer {settings.RedshiftNodeType} in {settings.AwsRegion} (DC2 nodes, for one, are no longer provisioned).",
                    "Settings → Redshift node type: ra3.large (the smallest RA3 node, single-node capable).");
        });

        await CheckAsync(items, InstanceTypeCheck.Name, async () =>
            InstanceTypeCheck.Judge(await cloud.InstanceTypeAsync(settings.InstanceType, ct), settings.InstanceType, settings.AwsRegion, options.InstanceArchitecture));
        await CheckAsync(items, InstanceTypeCheck.FallbacksName, () => InstanceTypeCheck.JudgeFallbacksAsync(cloud, settings, options.InstanceArchitecture, ct));

        await CheckAsync(items, SpotQuotaCheck.Name, async () => await SpotQuotaCheck.JudgeAsync(cloud, settings, await LiveDeploymentAsync(settings, ct), ct));

        await CheckAsync(items, SpotPriceCheck.Name, () => SpotPriceCheck.JudgeAsync(cloud, settings, ct));

        await CheckAsync(items, RoleBoundary.CheckName, async () => RoleBoundary.Judge(await cloud.RoleBoundaryAsync(me!.Account, ct), me.Account));

        // The Spectrum role's line below asks about the role this loop found, not IAM again.
        string? spectrumRoleArn = null;
        foreach (var role in AwsRoles.SharedIn(me!.Account))
        {
            var name = $"IAM role {role.Name}";
            await CheckAsync(items, name, async () =>
            {
                var found = await cloud.FindRoleAsync(role.Name, ct);
                if (role.Name == AwsNames.SpectrumRole) spectrumRoleArn = found?.Arn;
                var profileReady = !role.WithInstanceProfile || await cloud.InstanceProfileReadyAsync(role.Name, ct);
                if (found is null || !profileReady)
                    return new CheckItem(name, CheckOutcome.Failed,
                        found is null ? "Missing." : "The role exists but its instance profile is missing or empty.",
                        "Press 'Create the roles' (or let phase 1 and 2 create them).");
                return found.BoundaryArn == RoleBoundary.ArnIn(me!.Account)
                    ? new CheckItem(name, CheckOutcome.Passed, $"{found.Arn}{(role.WithInstanceProfile ? ", with its instance profile" : "")}, within the role boundary.")
                    : new CheckItem(name, CheckOutcome.Warning,
                        $"{found.Arn} carries {(found.BoundaryArn is null ? "no permissions boundary (an earlier version made it)" : $"another boundary, {found.BoundaryArn}")}, so the role boundary does not bound what its policy may grant.",
                        "Press 'Create the roles' (or run phase 2): either gives it the role boundary.");
            });
        }

        await CheckAsync(items, SpectrumAccessCheck.Name, () => SpectrumAccessCheck.JudgeAsync(cloud, settings, me!.Account, spectrumRoleArn, ct));

        await CheckAsync(items, "Operator address", async () =>
        {
            var cidr = string.IsNullOrWhiteSpace(settings.OperatorCidr) ? await options.LookUpPublicAddress(ct) : settings.OperatorCidr.Trim();
            return new CheckItem("Operator address", CheckOutcome.Passed,
                $"Airflow (HTTPS, 8080) will be open to {cidr} only{(string.IsNullOrWhiteSpace(settings.OperatorCidr) ? " (looked up)" : "")}; the Redshift cluster is private.");
        });
        return items;
    }

    /// <summary>The live AWS deployment's id: its own instance does not count against the spot quota it already holds.</summary>
    private async Task<Guid?> LiveDeploymentAsync(PipelineSettings settings, CancellationToken ct) =>
        await deployments.GetWithRunsAsync(ct: ct) is { } found && LiveAwsDeployment.Of(found.Deployment, found.Runs, settings) is { } live ? live.Deployment.Id : null;

    /// <summary>Creates (or completes) the shared roles; returns what exists now.</summary>
    public Task<IReadOnlyList<string>> CreateRolesAsync(PipelineSettings settings, CancellationToken ct) =>
        clouds.WithCloudAsync<IReadOnlyList<string>>(settings.AwsRegion, async cloud =>
        {
            var account = (await cloud.WhoAmIAsync(ct)).Account;
            if (await cloud.RoleBoundaryAsync(account, ct) is RoleBoundaryState.Missing) throw new RoleBoundaryMissingException(account);
            var done = new List<string>();
            foreach (var role in AwsRoles.SharedIn(account))
                done.Add($"{role.Name}: {await cloud.EnsureRoleAsync(role, account, ct)}");
            return done;
        });

    /// <summary>
    /// IAM's policy simulator on the caller, for every action of the operator policy on the project's resources (as the
    /// phases use them): the denied ones, listed.
    /// </summary>
    private static async Task<CheckItem> PermissionsAsync(IAwsCloud cloud, AwsIdentity me, string region, CancellationToken ct)
    {
        const string name = PermissionsCheck.Name;
        try
        {
            var principal = await SimulatablePrincipalAsync(cloud, me, ct);
            if (principal is null)
                return new CheckItem(name, CheckOutcome.Warning, $"IAM's policy simulator cannot evaluate {me.Arn} (the account's root user or a federated session).", PermissionsCheck.AttachFix);
            return PermissionsCheck.Judge(await cloud.DeniedActionsAsync(principal, OperatorPolicy.Probes(me.Account, region), ct), principal, region);
        }
        catch (AwsException ex) when (ex.Kind is not AwsErrorKind.Credentials)
        {
            // Simulating is a permission of its own (iam:SimulatePrincipalPolicy); without it, the phases will name what they miss.
            return new CheckItem(name, CheckOutcome.Warning, $"Could not ask IAM's policy simulator: {ex.Cause}", PermissionsCheck.AttachFix);
        }
    }

    /// <summary>The simulator takes an IAM user or role ARN: an assumed-role session is evaluated as its role (whose path IAM knows).</summary>
    private static async Task<string?> SimulatablePrincipalAsync(IAwsCloud cloud, AwsIdentity me, CancellationToken ct)
    {
        var parts = me.Arn.Split(':', 6);
        if (parts.Length < 6) return null;
        var resource = parts[5];
        if (parts[2] == "iam" && (resource.StartsWith("user/", StringComparison.Ordinal) || resource.StartsWith("role/", StringComparison.Ordinal)))
            return me.Arn;
        if (parts[2] == "sts" && resource.StartsWith("assumed-role/", StringComparison.Ordinal))
            return (await cloud.FindRoleAsync(resource.Split('/')[1], ct))?.Arn;
        return null;
    }

    /// <summary>Adds the check's line, or a failed one with AWS's message; true when the check itself could run.</summary>
    private static async Task<bool> CheckAsync(List<CheckItem> items, string name, Func<Task<CheckItem>> check)
    {
        try
        {
            items.Add(await check());
            return true;
        }
        catch (AwsException ex)
        {
            items.Add(new CheckItem(name, CheckOutcome.Failed, ex.Cause, ex.Fix));
            return false;
        }
        catch (Cord19Exception ex)
        {
            items.Add(new CheckItem(name, CheckOutcome.Failed, ex.Message));
            return false;
        }
    }
}
