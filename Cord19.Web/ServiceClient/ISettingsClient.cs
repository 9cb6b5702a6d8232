using Cord19.Core.Deployments;
using Cord19.Core.Settings;

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
}

public sealed class SettingsClient(SettingsStore store, DataDirectory data) : ISettingsClient
{
    public Task<PipelineSettings> GetAsync(CancellationToken ct) => store.GetAsync(ct);
    public Task<IReadOnlyList<SettingsProblem>> SaveAsync(PipelineSettings settings, CancellationToken ct) => store.SaveAsync(settings, ct);
    public DeploymentTarget? FixedTarget => store.FixedTarget;
    public string DataDirectory => data.Root;
}
