using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Settings;
using Microsoft.Extensions.Logging;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Keeps <see cref="LiveSpotPrices"/> current for the live AWS deployment: the spot price history of its instance's
/// zone since the instance was recorded, every few minutes (spot prices change a few times a day at most), so the
/// meter bills what AWS bills rather than the price book's estimate. A failed look keeps the last history and is
/// logged; the meter falls back to the price book only when it never had one. The web app looks every <see cref="Interval"/>.
/// </summary>
public sealed class SpotPriceWatcher(
    DeploymentStore store, SettingsStore settingsStore, IAwsCloudFactory clouds, LiveSpotPrices prices, ILogger<SpotPriceWatcher> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>One look at the live AWS deployment's instance zone; nothing without one.</summary>
    public async Task LookAsync(CancellationToken ct)
    {
        if (await store.GetWithRunsAsync(ct: ct) is not { Deployment: { HasEnded: false, Target: DeploymentTarget.Aws } deployment } found) return;
        if (deployment.Resources.Where(r => r.Kind == AwsResourceKinds.Instance && r.DeletedAt is null).MinBy(r => r.CreatedAt) is not { } recorded) return;
        var settings = DeploymentPinning.Pin(deployment, await settingsStore.GetAsync(ct));
        try
        {
            await clouds.WithCloudAsync(settings.AwsRegion, async cloud =>
            {
                if (await cloud.FindInstanceAsync(deployment.Id, ct) is not { AvailabilityZone: { } zone }) return;
                var runSettings = PipelineSettings.FromJsonOrDefault(found.Runs.FirstOrDefault(r => r.Id == recorded.PhaseRunId)?.SettingsJson);
                var history = await cloud.SpotPriceHistoryAsync(runSettings.InstanceType, zone, recorded.CreatedAt, ct);
                if (history.Count > 0) prices.Set(deployment.Id, recorded.Id, zone, history);
            });
        }
        catch (Cord19Exception ex)
        {
            logger.LogWarning("The live spot price could not be read; the meter keeps the last one (or the price book's): {Message}", ex.Message);
        }
    }
}
