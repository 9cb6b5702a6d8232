using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Web.ServiceClient;

namespace Cord19.Tests.Support;

/// <summary>Settings kept in memory, refused by the same rules as the real store (<see cref="PipelineSettings.Problems"/>).</summary>
public sealed class FakeSettingsClient : ISettingsClient
{
    public PipelineSettings Saved { get; private set; } = new();
    public int Saves { get; private set; }
    public DeploymentTarget? FixedTarget { get; set; }
    public string DataDirectory => "/tmp/cord19-test-data";

    public Task<PipelineSettings> GetAsync(CancellationToken ct) => Task.FromResult(Saved);

    /// <summary>What reading a region's prices gives, or throws; null leaves the book as it is.</summary>
    public Func<string, Cord19.Core.Costs.PriceBook, Task<Cord19.Core.Targets.Aws.RegionPriceReading>>? PriceReading { get; set; }

    public Task<Cord19.Core.Targets.Aws.RegionPriceReading> ReadPricesAsync(PipelineSettings settings, CancellationToken ct) =>
        PriceReading?.Invoke(settings.AwsRegion, settings.Prices())
        ?? Task.FromResult(new Cord19.Core.Targets.Aws.RegionPriceReading(settings.AwsRegion, Cord19.Core.Costs.PriceBook.Write(settings.AwsRegion, settings.Prices().All), [], [], []));

    /// <summary>When set, a save throws it, as the real store does with the state database out of reach.</summary>
    public Exception? SaveFailure { get; set; }

    public Task<IReadOnlyList<SettingsProblem>> SaveAsync(PipelineSettings settings, CancellationToken ct)
    {
        if (SaveFailure is not null) return Task.FromException<IReadOnlyList<SettingsProblem>>(SaveFailure);
        var problems = settings.Problems();
        if (problems.Count > 0) return Task.FromResult(problems);
        Saved = settings;
        Saves++;
        return Task.FromResult<IReadOnlyList<SettingsProblem>>([]);
    }
}
