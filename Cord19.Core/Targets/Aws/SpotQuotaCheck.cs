using Cord19.Core.Aws;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The checklist's line for the spot vCPU quota. EC2 judges a spot launch against the account's quota in the region for
/// every spot instance of the Standard families running there, whoever launched it, so what other spot instances use is
/// not left for the deployment: a new account's quota may be small. Red when the first choice does
/// not fit in what is left and no fallback does; amber, naming it, when only a smaller fallback fits (phase 1 passes a
/// type the quota refuses, as it passes one with no spot room). A running instance of the live deployment is not
/// counted against it: phase 1 launches no other while one runs.
/// </summary>
public static class SpotQuotaCheck
{
    public const string Name = "Spot vCPU quota";

    private const string Fix = AwsErrors.SpotQuotaAdvice;

    /// <summary>
    /// Whether EC2 counts the type against the quota this line reads, the Standard families' (A, C, D, H, I, M, R, T and Z).
    /// A family is the letters before the generation's digit (m5 → m, im4gn → im, inf2 → inf); inf, dl, trn, hpc and mac
    /// begin with a Standard family's letter but have quotas of their own, or no spot at all.
    /// </summary>
    public static bool IsStandard(string instanceType)
    {
        var family = new string([.. instanceType.TakeWhile(char.IsAsciiLetter)]).ToLowerInvariant();
        return family.Length > 0 && "acdhimrtz".Contains(family[0]) && family is not ("inf" or "dl" or "trn" or "hpc" or "mac");
    }

    /// <param name="quota">The Standard families' spot vCPU quota in the region.</param>
    /// <param name="types">Settings' first choice then its fallbacks, each with its vCPUs (null when EC2 did not say).</param>
    /// <param name="running">The region's spot instances with their vCPUs (null when EC2 did not say).</param>
    /// <param name="liveDeployment">The panel's live AWS deployment, when there is one.</param>
    public static CheckItem Judge(double quota, IReadOnlyList<(string Type, int? Vcpus)> types,
        IReadOnlyList<(RunningSpotInstance Instance, int? Vcpus)> running, Guid? liveDeployment)
    {
        var (first, needed) = types[0];
        if (running.FirstOrDefault(r => liveDeployment is not null && r.Instance.Deployment == liveDeployment) is ({ } own, _))
            return new(Name, CheckOutcome.Passed,
                $"{quota} vCPUs allowed. This deployment's instance {own.InstanceId} ({own.InstanceType}) runs: phase 1 launches no other while it does.");
        if (needed is null)
            return new(Name, CheckOutcome.Warning, $"{quota} vCPUs allowed; EC2 did not say how many {first} has.");

        var counted = running.Where(r => IsStandard(r.Instance.InstanceType)).ToList();
        var used = counted.Sum(r => r.Vcpus ?? 0);
        var free = quota - used;
        var inUse = counted.Count == 0 ? "none in use"
            : $"{used} in use by {counted.Count} spot instance{(counted.Count == 1 ? "" : "s")} here: {Listed(counted)}";
        var unsized = counted.Count(r => r.Vcpus is null) is var n and > 0
            ? $" EC2 did not say the size of {n} of them, so more may be in use." : "";
        if (needed <= free)
            return new(Name, unsized.Length == 0 ? CheckOutcome.Passed : CheckOutcome.Warning,
                $"{quota} vCPUs allowed, {inUse}; {first} needs {needed}.{unsized}");

        var shortfall = $"{quota} vCPUs allowed, {inUse}; {Math.Max(free, 0)} left, and {first} needs {needed}.{unsized}{Orphans(counted, liveDeployment)}";
        if (types.Skip(1).FirstOrDefault(t => IsStandard(t.Type) && t.Vcpus <= free) is ({ } fallback, { } vcpus))
            return new(Name, CheckOutcome.Warning, $"{shortfall} Phase 1 would ask for the fallback {fallback} ({vcpus} vCPUs) instead.", Fix);
        return new(Name, CheckOutcome.Failed, types.Count > 1 ? $"{shortfall} No fallback type fits either." : shortfall, Fix);
    }

    /// <summary>The quota, the vCPUs of Settings' types and of the region's spot instances (each type asked once), judged.</summary>
    public static async Task<CheckItem> JudgeAsync(IAwsCloud cloud, PipelineSettings settings, Guid? liveDeployment, CancellationToken ct)
    {
        if (!IsStandard(settings.InstanceType))
            return new(Name, CheckOutcome.Warning,
                $"{settings.InstanceType} is not of a Standard family (A, C, D, H, I, M, R, T, Z), whose spot quota is the one this line reads: its family has a quota of its own.",
                "See Service Quotas → Amazon EC2 → the spot instance requests quota of its family.");
        double? quota;
        IReadOnlyList<RunningSpotInstance> running;
        try
        {
            quota = await cloud.SpotVcpuQuotaAsync(ct);
            running = await cloud.RunningSpotInstancesAsync(ct);
        }
        catch (AwsException ex) when (ex.Kind is not AwsErrorKind.Credentials)
        {
            // Reading quotas is a permission (and a service) of its own; without it the launch itself will say if the quota is short.
            return new(Name, CheckOutcome.Warning, $"Could not read it: {ex.Cause}", ex.Fix);
        }
        if (quota is null)
            return new(Name, CheckOutcome.Warning, "Service Quotas gave no value for the spot vCPU quota.");

        var vcpus = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var type in settings.SpotInstanceTypes.Concat(running.Select(r => r.InstanceType)).Distinct(StringComparer.Ordinal))
            vcpus[type] = (await cloud.InstanceTypeAsync(type, ct))?.Vcpus;
        return Judge(quota.Value, [.. settings.SpotInstanceTypes.Select(t => (t, vcpus[t]))], [.. running.Select(r => (r, vcpus[r.InstanceType]))], liveDeployment);
    }

    private static string Listed(IReadOnlyList<(RunningSpotInstance Instance, int? Vcpus)> instances)
    {
        const int shown = 5;
        var named = string.Join(", ", instances.Take(shown).Select(r => $"{r.Instance.InstanceId} ({r.Instance.InstanceType})"));
        return instances.Count > shown ? $"{named} and {instances.Count - shown} more" : named;
    }

    /// <summary>Instances of this panel's earlier deployments are orphans: the AWS page finds and ends them.</summary>
    private static string Orphans(IReadOnlyList<(RunningSpotInstance Instance, int? Vcpus)> counted, Guid? liveDeployment) =>
        counted.Count(r => r.Instance.Deployment is { } d && d != liveDeployment) is var n and > 0
            ? $" {n} of them {(n == 1 ? "is" : "are")} this panel's, of a deployment no longer live: Find orphans on this page ends {(n == 1 ? "it" : "them")}."
            : "";
}
