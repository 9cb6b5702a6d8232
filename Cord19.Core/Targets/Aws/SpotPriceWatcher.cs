using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Settings;
using Microsoft.Extensions.Logging;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Keeps <see cref="LiveSpotPrices"/> current for the live AWS deployment: the spot price history of its instance's
/// zone since the instance was recorded, every few minutes (spot prices change a few times a day at most), so the
/// meter bills what AWS bills rather than the price book's estimate. An instance that has ended (a spot interruption
/// before a replacement) is read once per process, in the zone its ledger entry names (<see cref="InstanceEntry.Zone"/>):
/// after a restart its cost is AWS's prices again, not the estimate (EC2 keeps 90 days of history). A failed look keeps
/// the last history and is logged; the meter falls back to the price book only when it never had one. The web app
/// looks every <see cref="Interval"/>.
/// </summary>
public sealed class SpotPriceWatcher(
    DeploymentStore store, SettingsStore settingsStore, IAwsCloudFactory clouds, LiveSpotPrices prices, ILogger<SpotPriceWatcher> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>One look at the live AWS deployment's instances' zones; nothing without an instance to price.</summary>
    public async Task LookAsync(CancellationToken ct)
    {
        if (await store.GetWithRunsAsync(ct: ct) is not { Deployment: { HasEnded: false, Target: DeploymentTarget.Aws } deployment } found) return;
        var read = prices.Get(deployment.Id);
        var entries = deployment.Resources.Where(r => r.Kind == AwsResourceKinds.Instance)
            .Where(r => r.DeletedAt is null || (read?.ContainsKey(r.Id) != true && InstanceEntry.Zone(r.Description) is not null))
            .ToList();
        if (entries.Count == 0) return;
        var settings = DeploymentPinning.Pin(deployment, found.Runs, await settingsStore.GetAsync(ct));
        try
        {
            await clouds.WithCloudAsync(settings.AwsRegion, async cloud =>
            {
                // EC2's newest instance is the live entry's (launched under its token); an ended one's zone and type are the ones its entry names.
                var live = entries.Any(r => r.DeletedAt is null) ? await cloud.FindInstanceAsync(deployment.Id, ct) : null;
                InstanceState? Ec2(DeployedResource entry) =>
                    entry.DeletedAt is null && live is not null && (live.ClientToken is null || live.ClientToken == entry.Locator) ? live : null;
                foreach (var entry in entries)
                {
                    // Not a pattern variable: Stryker cannot mutate a condition that assigns one, and left this loop unmeasured.
                    var zone = Ec2(entry)?.AvailabilityZone ?? InstanceEntry.Zone(entry.Description);
                    if (zone is null) continue;
                    // The type launched, which may be one of the run's fallbacks (EC2 says, where a crash kept the entry from
                    // saying); an earlier version's entry names the run's first choice.
                    var type = Ec2(entry)?.InstanceType ?? InstanceEntry.InstanceType(entry.Description)
                        ?? PipelineSettings.FromJsonOrDefault(found.Runs.FirstOrDefault(r => r.Id == entry.PhaseRunId)?.SettingsJson).InstanceType;
                    var history = await cloud.SpotPriceHistoryAsync(type, zone, entry.CreatedAt, ct);
                    if (history.Count > 0) prices.Set(deployment.Id, entry.Id, zone, history);
                }
            });
        }
        catch (Cord19Exception ex)
        {
            logger.LogWarning("The live spot price could not be read; the meter keeps the last one (or the price book's): {Message}", ex.Message);
        }
    }
}
