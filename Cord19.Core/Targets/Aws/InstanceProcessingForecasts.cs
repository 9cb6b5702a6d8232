using Cord19.Core.Aws;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Microsoft.Extensions.Logging;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Phase 6's forecast on the live AWS deployment's instance, for the Overview before phase 6 is clicked: scaled from the
/// step times of the largest run the instance made (phase 5's subset at least), read from the deployment's bucket, as
/// phase 6 reads it to judge the instance's lifetime. Read once for each phase 5 run that succeeded, not on every change
/// the page draws or the cost meter reads again.
/// </summary>
public sealed class InstanceProcessingForecasts(IAwsCloudFactory clouds, DeploymentStore store, SettingsStore settings, TimeProvider clock,
    ILogger<InstanceProcessingForecasts> logger)
{
    /// <summary>How long a bucket that could not be read is left alone: credentials may come back, a log line a minute would not help.</summary>
    public static readonly TimeSpan AskAgainAfterFailure = TimeSpan.FromMinutes(5);

    /// <param name="AskAgainAt">Set when the read failed.</param>
    /// <param name="MemoryWarning">Why the run may not fit beside Airflow on the live instance (<see cref="InstanceMemory"/>); null when it fits or is not known.</param>
    private sealed record Known(Guid MeasuredAfter, ProcessingEstimate? Estimate, DateTimeOffset? AskAgainAt = null, string? MemoryWarning = null);
    private volatile Known? _known;

    /// <summary>Null when no deployment is live on AWS, its phase 5 has not succeeded, or the bucket cannot say.</summary>
    public async Task<ProcessingEstimate?> ForecastAsync(CancellationToken ct) => (await KnownAsync(ct))?.Estimate;

    /// <summary>
    /// Phase 6's card on the live instance: the forecast with its memory judgement (<see cref="ProcessingForecast.InstanceWarning"/>),
    /// both from one read, for a deployment already read. Null as <see cref="ForecastAsync(CancellationToken)"/> is.
    /// </summary>
    public async Task<ProcessingForecast?> CardForecastAsync(Deployment deployment, IReadOnlyList<PhaseRun> runs, PipelineSettings settings, CancellationToken ct) =>
        LiveAwsDeployment.Of(deployment, runs, settings) is { } live && await KnownAsync(live, ct) is { Estimate: { } estimate } known
            ? new ProcessingForecast(estimate, AvailableBytes: null) { InstanceWarning = known.MemoryWarning }
            : null;

    private async Task<Known?> KnownAsync(CancellationToken ct) =>
        await LiveAwsDeployment.ReadAsync(store, settings, ct) is { } live ? await KnownAsync(live, ct) : null;

    private async Task<Known?> KnownAsync(LiveAwsDeployment live, CancellationToken ct)
    {
        var subset = live.Runs.Where(r => r.PhaseNumber == 5 && r.Status == PhaseStatus.Succeeded).MaxBy(r => r.EndedAt);
        if (subset is null) return null;
        if (_known is { } known && known.MeasuredAfter == subset.Id && (known.AskAgainAt is not { } again || clock.GetUtcNow() < again))
            return known;
        // Phase 1 recorded the bucket, under the name it made it with; the account is asked for as the bucket's expected owner.
        if (live.Ledger.FirstOrDefault(r => r.Kind == AwsResourceKinds.Bucket) is not { } bucket) return null;
        try
        {
            var cloud = clouds.Open(live.Settings.AwsRegion);
            var owned = new AccountBucket(bucket.Locator, (await cloud.WhoAmIAsync(ct)).Account);
            var estimate = await ReadAsync(cloud, new DeploymentNames(live.Deployment.Id), owned, ct);
            return _known = new(subset.Id, estimate, MemoryWarning: estimate is null ? null
                : await InstanceMemory.ShortfallAsync(cloud, live.Deployment.Id, instance: null, live.Settings.InstanceType, estimate, ct));
        }
        catch (Cord19Exception ex)
        {
            logger.LogInformation("Phase 6's forecast on the AWS instance could not be read; the estimates go by Settings' hours: {Problem}", ex.Message);
            return _known = new(subset.Id, null, clock.GetUtcNow() + AskAgainAfterFailure);
        }
    }

    /// <summary>
    /// The forecast from what the instance's pipeline left in the deployment's bucket (phase 6 reads it too); null
    /// without a corpus or a timed run there. S3's failures come as <see cref="AwsException"/>s.
    /// </summary>
    public static Task<ProcessingEstimate?> ReadAsync(IAwsCloud cloud, DeploymentNames names, AccountBucket bucket, CancellationToken ct) =>
        ProcessingEstimator.EstimateAsync(new ResultStore(cloud.Objects(bucket, names.ResultsPrefix)), ct);

    /// <summary>
    /// <paramref name="settings"/> with phase 6's expected hours replaced by the forecast, once phase 5 has run on the
    /// instance: the cost estimates then price the time measured there rather than Settings' guess.
    /// </summary>
    public async Task<PipelineSettings> WithMeasuredHoursAsync(PipelineSettings settings, CancellationToken ct) =>
        WithHours(settings, await ForecastAsync(ct));

    /// <summary>The same for a deployment already read, as the cost meter has it on every look, without reading it again.</summary>
    public async Task<PipelineSettings> WithMeasuredHoursAsync(PipelineSettings settings, Deployment deployment, IReadOnlyList<PhaseRun> runs, CancellationToken ct) =>
        LiveAwsDeployment.Of(deployment, runs, settings) is { } live ? WithHours(settings, (await KnownAsync(live, ct))?.Estimate) : settings;

    private static PipelineSettings WithHours(PipelineSettings settings, ProcessingEstimate? onInstance) => onInstance is null ? settings
        : settings with { ExpectedPhaseHours = [.. settings.ExpectedPhaseHours[..5], onInstance.Total.TotalHours, .. settings.ExpectedPhaseHours[6..]] };
}
