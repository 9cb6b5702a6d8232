using Cord19.Core.Settings;

namespace Cord19.Web.Model;

/// <summary>The editable copy of <see cref="PipelineSettings"/> behind the Settings form (MudBlazor binds to DateTime?).</summary>
public sealed class SettingsForm
{
    public string Target { get; set; } = PipelineSettings.LocalTarget;
    public string? MetadataPath { get; set; }
    public DateTime? PublishedFrom { get; set; }
    public DateTime? PublishedUntil { get; set; }
    public int SubsetSize { get; set; }
    public int Clusters { get; set; }
    public int TopicsPerCluster { get; set; }
    public int MaxFeatures { get; set; }
    public int ReducedDimensions { get; set; }
    public int LdaIterations { get; set; }
    public int Seed { get; set; }
    private int _topTerms;

    public static SettingsForm From(PipelineSettings s) => new()
    {
        Target = s.Target,
        MetadataPath = s.MetadataPath,
        PublishedFrom = s.PublishedFrom?.ToDateTime(TimeOnly.MinValue),
        PublishedUntil = s.PublishedUntil?.ToDateTime(TimeOnly.MinValue),
        SubsetSize = s.SubsetSize,
        Clusters = s.Clusters,
        TopicsPerCluster = s.TopicsPerCluster,
        MaxFeatures = s.MaxFeatures,
        ReducedDimensions = s.ReducedDimensions,
        LdaIterations = s.LdaIterations,
        Seed = s.Seed,
        _topTerms = s.TopTerms,
    };

    public PipelineSettings ToSettings() => new()
    {
        Target = Target,
        MetadataPath = string.IsNullOrWhiteSpace(MetadataPath) ? null : MetadataPath.Trim(),
        PublishedFrom = PublishedFrom is { } from ? DateOnly.FromDateTime(from) : null,
        PublishedUntil = PublishedUntil is { } until ? DateOnly.FromDateTime(until) : null,
        SubsetSize = SubsetSize,
        Clusters = Clusters,
        TopicsPerCluster = TopicsPerCluster,
        MaxFeatures = MaxFeatures,
        ReducedDimensions = ReducedDimensions,
        LdaIterations = LdaIterations,
        Seed = Seed,
        TopTerms = _topTerms,
    };
}
