namespace Cord19.Core.Settings;

/// <summary>Named sets of pipeline parameters; everything not named keeps its default.</summary>
public static class Presets
{
    /// <summary>The seed notebook's: k = 6, 5 topics per cluster, 1,500 TF-IDF features.</summary>
    public const string Seed = "seed";

    /// <summary>For the whole dataset: k = 20, 20 topics over all documents, 4,096 TF-IDF features.</summary>
    public const string Large = "large";

    public static IReadOnlyList<string> All { get; } = [Seed, Large];

    public static PipelineSettings Named(string name) => Apply(new PipelineSettings(), name);

    /// <summary><paramref name="settings"/> with the preset's pipeline parameters (target, data and budget untouched).</summary>
    public static PipelineSettings Apply(PipelineSettings settings, string name)
    {
        var defaults = new PipelineSettings();
        return name switch
        {
            Seed => settings with
            {
                Clusters = defaults.Clusters, TopicsPerCluster = defaults.TopicsPerCluster, GlobalTopics = 0,
                MaxFeatures = defaults.MaxFeatures, ReducedDimensions = defaults.ReducedDimensions,
            },
            Large => settings with { Clusters = 20, GlobalTopics = 20, MaxFeatures = 4_096, ReducedDimensions = 100 },
            _ => throw new ArgumentException($"Preset '{name}' is not known: use {string.Join(" or ", All.Select(p => $"'{p}'"))}.", nameof(name)),
        };
    }
}
