using System.Text.Json.Serialization;

namespace Cord19.Core.Settings;

/// <summary>
/// What the user chooses in Settings: the target, the input data and the pipeline's parameters.
/// Defaults are the seed notebook's: papers since 2020-01-01, k = 6, 5 topics per cluster, 1,500 TF-IDF features.
/// </summary>
public sealed record PipelineSettings
{
    public const string LocalTarget = "local";
    public const string AwsTarget = "aws";

    /// <summary>"local" (default) or "aws".</summary>
    public string Target { get; init; } = LocalTarget;

    /// <summary>A CORD-19 metadata.csv (plain or .gz); empty for the sample shipped with the app.</summary>
    public string? MetadataPath { get; init; }

    public DateOnly? PublishedFrom { get; init; } = new(2020, 1, 1);
    public DateOnly? PublishedUntil { get; init; }

    /// <summary>Documents in the small-subset run (phase 5).</summary>
    public int SubsetSize { get; init; } = 1_500;

    public int Clusters { get; init; } = 6;
    public int TopicsPerCluster { get; init; } = 5;
    public int MaxFeatures { get; init; } = 1_500;

    /// <summary>PCA dimensions kept before k-means.</summary>
    public int ReducedDimensions { get; init; } = 50;

    public int LdaIterations { get; init; } = 100;
    public int TopTerms { get; init; } = 10;
    public int Seed { get; init; } = 42;

    /// <summary>The problems that make these settings unusable, each naming the field and the fix. Empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Target is not (LocalTarget or AwsTarget))
            errors.Add($"Target '{Target}' is unknown: choose '{LocalTarget}' or '{AwsTarget}'.");
        if (!string.IsNullOrWhiteSpace(MetadataPath) && !File.Exists(MetadataPath))
            errors.Add($"Metadata file '{MetadataPath}' does not exist: give the full path of a CORD-19 metadata.csv or metadata.csv.gz, or leave it empty for the shipped sample.");
        if (PublishedFrom is { } from && PublishedUntil is { } until && from > until)
            errors.Add($"Published-from ({from:yyyy-MM-dd}) is after published-until ({until:yyyy-MM-dd}): swap them or clear one.");
        Range(errors, "Subset size", SubsetSize, 50, 1_000_000);
        Range(errors, "Clusters (k)", Clusters, 2, 100);
        Range(errors, "Topics per cluster", TopicsPerCluster, 1, 50);
        Range(errors, "TF-IDF features", MaxFeatures, 50, 100_000);
        Range(errors, "PCA dimensions", ReducedDimensions, 2, 500);
        Range(errors, "LDA iterations", LdaIterations, 10, 2_000);
        Range(errors, "Top terms", TopTerms, 3, 50);
        if (ReducedDimensions >= MaxFeatures)
            errors.Add($"PCA dimensions ({ReducedDimensions}) must be fewer than TF-IDF features ({MaxFeatures}).");
        return errors;
    }

    [JsonIgnore]
    public bool UsesShippedSample => string.IsNullOrWhiteSpace(MetadataPath);

    private static void Range(List<string> errors, string name, int value, int min, int max)
    {
        if (value < min || value > max)
            errors.Add($"{name} is {value}: use a whole number from {min:N0} to {max:N0}.");
    }
}
