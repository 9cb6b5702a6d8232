using Cord19.Core.Aws;
using Cord19.Core.Execution;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>Phase 1's launch: the lifetime the first boot is given, then the spot instance, type by type and zone by zone, under one client token.</summary>
public sealed partial class AwsTarget
{
    /// <summary>
    /// Phase 1's instance: the deployment's live one when there is one (launched by an earlier run, perhaps as a fallback
    /// type), else a launch under the deployment's token in <paramref name="securityGroup"/>, its ledger entry recorded
    /// before the call and named after it.
    /// </summary>
    private async Task<InstanceState> LaunchOrFindInstanceAsync(AwsRun run, string securityGroup, CancellationToken ct)
    {
        var (context, cloud, names) = run;
        var settings = context.Settings;
        var existing = await cloud.FindInstanceAsync(names.DeploymentId, ct);
        var (ledger, runs) = await context.DeploymentRecordAsync();
        var launch = InstanceLaunch.For(names, existing, ledger);
        var instance = existing is { HasEnded: false } ? existing : null;
        var lifetime = instance is null ? await LifetimeOfLaunchAsync(run, launch, existing, ledger, runs, ct) : null;
        // What EC2 says it is: a fallback type, perhaps, launched by an earlier run of this phase.
        var type = instance?.InstanceType ?? settings.InstanceType;
        var entry = await context.RecordResourceAsync(AwsResourceKinds.Instance, launch.Token, InstanceEntry.Spot(type, settings.SpotMaxPricePerHour));
        if (instance is null)
            await EndEntriesIfRefusedAsync(context, [entry], async () => (instance, type) = await LaunchAsync(run, launch.Token, securityGroup, lifetime, ct));
        await context.RecordResourceAsync(AwsResourceKinds.Instance, launch.Token,
            InstanceEntry.Description(instance!.InstanceId, instance.AvailabilityZone, InstanceEntry.Spot(type, settings.SpotMaxPricePerHour)));
        var ends = existing is { HasEnded: false } && InstanceEndOfLife.Deadline(existing, runs) is { } deadline
            ? $" It ends itself about {deadline.UtcDateTime:yyyy-MM-dd HH:mm} UTC (the maximum lifetime), panel or not, reboots included."
            : lifetime is not { } given ? ""
            : names.IsReplacement(launch.Token) ? $" It ends itself {Durations.Say(given)} after its first boot, when the deployment's maximum lifetime is up, panel or not, reboots included."
            : $" It ends itself {given.TotalHours:0.##} h after its first boot (the maximum lifetime), panel or not, reboots included.";
        await context.LogAsync($"Spot instance {instance.InstanceId} ({instance.State}){(instance.SpotRequestId is { } r ? $", spot request {r}" : "")}; {type}, IMDSv2 required{(InstanceSpec.IsBurstable(type) ? ", standard CPU credits" : "")}." + ends);
        return instance;
    }

    /// <summary>
    /// Before a launch: the lifetime its first boot is given (Settings' for the deployment's first instance; what is left of
    /// the deployment's for a replacement, or a refusal), and for a replacement, the ended instance's meter stopped and the
    /// log told what stays and what to run next.
    /// </summary>
    /// <param name="ledger">The deployment's ledger, ended entries included, and <paramref name="runs"/> its runs, as the step read them.</param>
    private async Task<TimeSpan?> LifetimeOfLaunchAsync(AwsRun run, InstanceLaunch launch, InstanceState? listed, IReadOnlyList<Deployments.ResourceView> ledger,
        IReadOnlyList<Deployments.PhaseRun> runs, CancellationToken ct)
    {
        var context = run.Context;
        var lifetime = context.Settings.MaxLifetimeHours is { } hours ? TimeSpan.FromHours(hours) : (TimeSpan?)null;
        if (launch.Replaces is not null)
            await StopMeteringReplacedAsync(run, launch, ledger, runs, ct);
        if (run.Names.IsReplacement(launch.Token))
            lifetime = ReplacementLifetime(lifetime, runs);
        if (launch.Replaces is { } ended)
            await context.LogAsync($"This deployment's instance {ended} is gone ({(listed is { HasEnded: true } ? $"it is {listed.State}: {listed.EndedBecause}" : "AWS ended it and no longer lists it")}). " +
                "Launching a replacement in the same deployment: the bucket, the roles, the parameters, the security group and any Redshift cluster with its export stay. " +
                "Once Airflow is up, run phase 3 again to install the DAGs on it, then the phase its predecessor did not finish.", Deployments.LogLevel.Warning);
        return lifetime;
    }

    /// <summary>
    /// Before a replacement is launched (or refused): the ended instance stops being metered, dated as the ended-instance
    /// guard dates it, or now when CloudWatch cannot be asked, so that two instances are never metered as one.
    /// </summary>
    private async Task StopMeteringReplacedAsync(AwsRun run, InstanceLaunch launch, IReadOnlyList<Deployments.ResourceView> ledger,
        IReadOnlyList<Deployments.PhaseRun> runs, CancellationToken ct)
    {
        // Not the replacement's own entry, which a launch cut short by a crash recorded.
        foreach (var live in ledger.Where(r => r.Kind == AwsResourceKinds.Instance && r.DeletedAt is null && r.Locator != launch.Token))
            if (!await endedInstances.StopMeteringIfEndedAsync(run.Cloud, run.Names.DeploymentId, live, runs, ct))
                await run.Context.MarkResourceDeletedAsync(live.Id);
    }

    /// <summary>
    /// What a replacement's first boot is given: what is left of the deployment's lifetime (<see cref="InstanceEndOfLife.ReplacementLifetime"/>).
    /// Less than Airflow's first boot may take would bill an instance that ends before it is of use: refused, with the fix.
    /// </summary>
    private TimeSpan? ReplacementLifetime(TimeSpan? lifetime, IReadOnlyList<Deployments.PhaseRun> runs)
    {
        if (InstanceEndOfLife.ReplacementLifetime(lifetime, runs, clock.GetUtcNow()) is not { } left) return null;
        if (left < options.AirflowReadyLimit)
            throw new PhaseFailedException(
                $"The deployment's maximum lifetime ({lifetime!.Value.TotalHours:0.##} h from its start at {InstanceEndOfLife.DeploymentStart(runs)!.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC) " +
                (left > TimeSpan.Zero ? $"leaves {Durations.Say(left)}" : "is up") + $", less than Airflow's first boot may take ({Durations.Say(options.AirflowReadyLimit)}): " +
                "a replacement would end itself before it is of use. Raise the maximum lifetime in Settings (it counts from the deployment's start, for the " +
                "instance as for the budget guard), then run phase 1 again; or run phase 7.");
        return left;
    }

    /// <summary>
    /// The spot instance, of the first type in Settings' order (<see cref="PipelineSettings.SpotInstanceTypes"/>) that is sold
    /// within the max price in a zone whose default subnet gives a public address and that a zone has room for. Every type
    /// and zone is asked with the same client token: a refused launch starts nothing, and once one went through, EC2 answers
    /// the token with its instance (in any zone; another type is refused as a mismatch, and the next type is asked).
    /// </summary>
    private async Task<(InstanceState Instance, string Type)> LaunchAsync(AwsRun run, string clientToken, string group, TimeSpan? lifetime, CancellationToken ct)
    {
        var (context, cloud, names) = run;
        var settings = context.Settings;
        var types = settings.SpotInstanceTypes;
        var subnets = await cloud.DefaultSubnetsAsync(ct);
        var spec = new InstanceSpec(clientToken, options.ImageId ?? await cloud.UbuntuImageAsync(ct), settings.InstanceType, settings.SpotMaxPricePerHour,
            settings.EbsGigabytes, group, names.InstanceRole,
            AirflowUserData.Render(settings.AirflowVersion, cloud.Region, names, lifetime), Tags(run));
        var refusals = new List<SpotRefusal>();
        foreach (var type in types)
        {
            if (refusals.Count > 0)
                await context.LogAsync($"{refusals[^1].Cause} Asking for {type}, the next of Settings' fallback instance types.", Deployments.LogLevel.Warning);
            try
            {
                var (instance, refused) = await LaunchTypeAsync(run, spec with { InstanceType = type }, subnets, ct);
                if (instance is not null) return (instance, type);
                refusals.Add(refused!);
            }
            // Refusals of the type, which another type may not meet: no room in any zone, the Free plan's list, an earlier
            // launch of another type, a spot quota too small for its vCPUs (a smaller fallback may fit).
            catch (AwsException ex) when (SpotZones.IsZonal(ex) || AwsErrors.IsFreePlanRefusal(ex.Code, ex.AwsMessage) || ex.Code == "IdempotentParameterMismatch"
                || AwsErrors.IsQuota(ex.Code))
            {
                refusals.Add(ex.Code == "IdempotentParameterMismatch"
                    ? new SpotRefusal($"{type}: EC2 launched another type under this deployment's token already, in an earlier run of this phase ({ex.Code}).", null)
                    : new SpotRefusal($"{type}: {ex.Cause}", ex.Fix));
            }
        }
        throw new PhaseFailedException(refusals.Count == 1
            ? $"{refusals[0].Cause} {refusals[0].Fix}".TrimEnd()
            : $"None of the {types.Count} instance types in Settings could be launched as spot. {string.Join(" ", refusals.Select(r => r.Cause))} " +
              $"{string.Join(" ", refusals.Select(r => r.Fix).OfType<string>().Distinct())} Settings → Fallback instance types names the types asked for after the first.");
    }

    /// <summary>Why a type was not launched, and what would change that.</summary>
    private sealed record SpotRefusal(string Cause, string? Fix);

    /// <summary>
    /// One type, in the zones <see cref="SpotZones.ToTry"/> orders, the next when one has no room; refused before any launch
    /// when no zone sells it within the max with a public address.
    /// </summary>
    /// <returns>The instance, or, when the type was refused before any launch, why.</returns>
    private async Task<(InstanceState? Instance, SpotRefusal? Refused)> LaunchTypeAsync(AwsRun run, InstanceSpec spec, IReadOnlyList<DefaultSubnet> subnets, CancellationToken ct)
    {
        var (context, cloud, _) = run;
        var (type, max) = (spec.InstanceType, spec.MaxPricePerHour);
        var prices = await cloud.SpotPricesAsync(type, ct);
        if (prices.Count > 0 && prices[0].PerHour > max)
            return (null, new($"The spot price of {type} in {cloud.Region} is ${prices[0].PerHour}/h at the cheapest ({prices[0].AvailabilityZone}), above your max of ${max}/h.",
                "Raise the spot max price or pick another instance type in Settings, then run phase 1 again."));
        var zones = SpotZones.ToTry(prices, subnets, max);
        if (prices.Count > 0 && zones.Count == 0)
            return (null, new($"Within your max of ${max}/h, {type} is sold as spot only in " +
                $"{string.Join(", ", prices.Where(p => p.PerHour <= max).Select(p => p.AvailabilityZone))}, whose default subnets assign no public IPv4 address, or which have none " +
                "(an instance there could reach neither apt nor PyPI).",
                "Turn on auto-assign public IPv4 addresses for those subnets (VPC console → Subnets → Edit subnet settings; " +
                "`aws ec2 create-default-subnet --availability-zone <zone>` makes a missing one), or raise the spot max price, then run phase 1 again."));

        // Without prices there is nothing to choose by: EC2 picks the zone.
        IReadOnlyList<ZoneSpotPrice?> order = zones.Count > 0 ? [.. zones] : [null];
        if (order[0] is { } cheapest)
            await context.LogAsync($"Asking for {type} in {cheapest.AvailabilityZone} at ${cheapest.PerHour}/h: the cheapest of {zones.Count} zone{(zones.Count == 1 ? "" : "s")} " +
                "within your max whose default subnet gives a public address.");
        for (var i = 0; ; i++)
        {
            try
            {
                return (await WaitOutAsync(run, NewProfileOrGroup(run, spec), () => cloud.RunSpotInstanceAsync(spec with { AvailabilityZone = order[i]?.AvailabilityZone }, ct), ct), null);
            }
            catch (AwsException ex) when (SpotZones.IsZonal(ex) && i + 1 < order.Count)
            {
                await context.LogAsync($"{order[i]!.AvailabilityZone} refused the launch ({ex.Code}: {ex.AwsMessage}); asking in {order[i + 1]!.AvailabilityZone} " +
                    $"at ${order[i + 1]!.PerHour}/h.", Deployments.LogLevel.Warning);
            }
        }
    }
}
