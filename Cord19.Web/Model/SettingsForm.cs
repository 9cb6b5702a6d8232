using System.Globalization;
using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Settings;

namespace Cord19.Web.Model;

/// <summary>
/// The editable copy of <see cref="PipelineSettings"/> behind the Settings form (MudBlazor binds to DateTime?). A record:
/// two forms are equal when every field is, which is how the page knows that what is typed differs from what is saved.
/// </summary>
public sealed record SettingsForm
{
    public DeploymentTarget Target { get; set; } = DeploymentTarget.Local;
    public string? MetadataPath { get; set; }
    public DateTime? PublishedFrom { get; set; }
    public DateTime? PublishedUntil { get; set; }
    public int SubsetSize { get; set; }
    public int Clusters { get; set; }
    public int TopicsPerCluster { get; set; }
    public int GlobalTopics { get; set; }
    public int MaxFeatures { get; set; }
    public int ReducedDimensions { get; set; }
    public int LdaIterations { get; set; }
    public int Seed { get; set; }
    public string InstanceType { get; set; } = "";

    /// <summary>Instance type names, comma-separated, in the order phase 1 asks for them.</summary>
    public string FallbackInstanceTypes { get; set; } = "";
    public decimal SpotMaxPricePerHour { get; set; }
    public int EbsGigabytes { get; set; }
    public string RedshiftNodeType { get; set; } = "";
    public int RedshiftNodes { get; set; }
    public string AwsRegion { get; set; } = "";
    public string AwsMetadataSource { get; set; } = PipelineSettings.DataLakeMetadataSource;
    public string AwsRelease { get; set; } = Cord19.Core.Releases.Cord19Releases.Final;
    public string AirflowVersion { get; set; } = "";
    public string? OperatorCidr { get; set; }
    public decimal? BudgetCapUsd { get; set; }
    public double? MaxLifetimeHours { get; set; }

    /// <summary>Seven numbers, comma-separated: the expected hours of phases 1 to 7.</summary>
    public string ExpectedPhaseHours { get; set; } = "";

    public string? PriceBookJson { get; set; }
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
        GlobalTopics = s.GlobalTopics,
        MaxFeatures = s.MaxFeatures,
        ReducedDimensions = s.ReducedDimensions,
        LdaIterations = s.LdaIterations,
        Seed = s.Seed,
        _topTerms = s.TopTerms,
        InstanceType = s.InstanceType,
        FallbackInstanceTypes = string.Join(", ", s.FallbackInstanceTypes),
        SpotMaxPricePerHour = s.SpotMaxPricePerHour,
        EbsGigabytes = s.EbsGigabytes,
        RedshiftNodeType = s.RedshiftNodeType,
        RedshiftNodes = s.RedshiftNodes,
        AwsRegion = s.AwsRegion,
        AwsMetadataSource = s.AwsMetadataSource,
        AwsRelease = s.AwsRelease,
        AirflowVersion = s.AirflowVersion,
        OperatorCidr = s.OperatorCidr,
        BudgetCapUsd = s.BudgetCapUsd,
        MaxLifetimeHours = s.MaxLifetimeHours,
        ExpectedPhaseHours = string.Join(", ", s.ExpectedPhaseHours.Select(h => h.ToString(CultureInfo.InvariantCulture))),
        PriceBookJson = s.PriceBookJson ?? PriceBook.ReadDefaultJson(),
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
        GlobalTopics = GlobalTopics,
        MaxFeatures = MaxFeatures,
        ReducedDimensions = ReducedDimensions,
        LdaIterations = LdaIterations,
        Seed = Seed,
        TopTerms = _topTerms,
        InstanceType = InstanceType.Trim(),
        FallbackInstanceTypes = FallbackInstanceTypes.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries),
        SpotMaxPricePerHour = SpotMaxPricePerHour,
        EbsGigabytes = EbsGigabytes,
        RedshiftNodeType = RedshiftNodeType.Trim(),
        RedshiftNodes = RedshiftNodes,
        AwsRegion = AwsRegion.Trim(),
        AwsMetadataSource = AwsMetadataSource,
        AwsRelease = AwsRelease.Trim(),
        AirflowVersion = AirflowVersion.Trim(),
        OperatorCidr = string.IsNullOrWhiteSpace(OperatorCidr) ? null : OperatorCidr.Trim(),
        BudgetCapUsd = BudgetCapUsd,
        MaxLifetimeHours = MaxLifetimeHours,
        ExpectedPhaseHours = ParseHours(ExpectedPhaseHours),
        // Unchanged shipped prices are not stored, so an app update brings newer ones.
        PriceBookJson = string.IsNullOrWhiteSpace(PriceBookJson) || PriceBookJson.Trim() == PriceBook.ReadDefaultJson().Trim() ? null : PriceBookJson,
    };

    /// <summary>
    /// Unreadable entries become NaN, which validation reports with the expected format. Commas, semicolons and spaces
    /// separate the hours, but beside a semicolon a comma is a decimal comma: "0,5; 1; 1; 1; 1; 1" read as seven hours
    /// (0, 5, 1…) is refused instead.
    /// </summary>
    private static double[] ParseHours(string text) =>
        text.Split(text.Contains(';', StringComparison.Ordinal) ? [';', ' '] : [',', ';', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var h) ? h : double.NaN)
            .ToArray();
}
