using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;

namespace Cord19.Web.ServiceClient;

/// <summary>What the Settings page reads and saves.</summary>
public interface ISettingsClient
{
    Task<PipelineSettings> GetAsync(CancellationToken ct);

    /// <summary>Saves valid settings; returns the problems (each with its field, cause and fix) and saves nothing otherwise.</summary>
    Task<IReadOnlyList<SettingsProblem>> SaveAsync(PipelineSettings settings, CancellationToken ct);

    /// <summary>The target the environment fixes whatever Settings say (CORD19_TARGET), or null.</summary>
    DeploymentTarget? FixedTarget { get; }

    /// <summary>Where the panel keeps its state and results.</summary>
    string DataDirectory { get; }

    /// <summary>
    /// The prices of the settings' book as AWS charges them in the settings' region today, with those of the settings'
    /// types the book lacks, for the form to save. Throws <see cref="Cord19.Core.Aws.AwsException"/> when AWS refuses
    /// every price (no credentials, no permission).
    /// </summary>
    Task<RegionPriceReading> ReadPricesAsync(PipelineSettings settings, CancellationToken ct);
}

public sealed class SettingsClient(SettingsStore store, DataDirectory data, IAwsCloudFactory clouds, TimeProvider clock) : ISettingsClient
{
    public Task<RegionPriceReading> ReadPricesAsync(PipelineSettings settings, CancellationToken ct)
    {
        var book = settings.Prices();
        return RegionPriceBook.ReadAsync(clouds.Open(settings.AwsRegion), settings.AwsRegion, book, CostEstimate.MissingPrices(settings, book), DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct);
    }

    public Task<PipelineSettings> GetAsync(CancellationToken ct) => store.GetAsync(ct);
    public Task<IReadOnlyList<SettingsProblem>> SaveAsync(PipelineSettings settings, CancellationToken ct) => store.SaveAsync(settings, ct);
    public DeploymentTarget? FixedTarget => store.FixedTarget;
    public string DataDirectory => data.Root;
}
