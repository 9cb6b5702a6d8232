using System.Text.Json;
using Cord19.Core.Deployments;
using Cord19.Core.Settings;

namespace Cord19.Tests.Configuration;

/// <summary>
/// Each rule of Settings at its edges: the last value it takes, and the first it refuses, on the field it names. The API's
/// and the form's tests send bad values, but a rule left out (or an edge moved by one) passed them all: a mutation run
/// (Stryker.NET) found every range below removable without a test failing.
/// </summary>
public sealed class PipelineSettingsRulesTests
{
    private static readonly PipelineSettings Valid = new();

    public static TheoryData<string, PipelineSettings, PipelineSettings> Edges => new()
    {
        { nameof(PipelineSettings.SubsetSize), Valid with { SubsetSize = 50 }, Valid with { SubsetSize = 49 } },
        { nameof(PipelineSettings.SubsetSize), Valid with { SubsetSize = 1_000_000 }, Valid with { SubsetSize = 1_000_001 } },
        { nameof(PipelineSettings.Clusters), Valid with { Clusters = 2 }, Valid with { Clusters = 1 } },
        { nameof(PipelineSettings.Clusters), Valid with { Clusters = 100 }, Valid with { Clusters = 101 } },
        { nameof(PipelineSettings.TopicsPerCluster), Valid with { TopicsPerCluster = 1 }, Valid with { TopicsPerCluster = 0 } },
        { nameof(PipelineSettings.TopicsPerCluster), Valid with { TopicsPerCluster = 50 }, Valid with { TopicsPerCluster = 51 } },
        { nameof(PipelineSettings.GlobalTopics), Valid with { GlobalTopics = 0 }, Valid with { GlobalTopics = -1 } },
        { nameof(PipelineSettings.GlobalTopics), Valid with { GlobalTopics = 200 }, Valid with { GlobalTopics = 201 } },
        { nameof(PipelineSettings.MaxFeatures), Valid with { MaxFeatures = 100_000 }, Valid with { MaxFeatures = 100_001 } },
        { nameof(PipelineSettings.MaxFeatures), Valid with { MaxFeatures = 50, ReducedDimensions = 20 }, Valid with { MaxFeatures = 49, ReducedDimensions = 20 } },
        { nameof(PipelineSettings.ReducedDimensions), Valid with { ReducedDimensions = 2 }, Valid with { ReducedDimensions = 1 } },
        { nameof(PipelineSettings.ReducedDimensions), Valid with { ReducedDimensions = 500 }, Valid with { ReducedDimensions = 501 } },
        { nameof(PipelineSettings.ReducedDimensions), Valid with { MaxFeatures = 60, ReducedDimensions = 59 }, Valid with { MaxFeatures = 60, ReducedDimensions = 60 } },
        { nameof(PipelineSettings.LdaIterations), Valid with { LdaIterations = 10 }, Valid with { LdaIterations = 9 } },
        { nameof(PipelineSettings.LdaIterations), Valid with { LdaIterations = 2_000 }, Valid with { LdaIterations = 2_001 } },
        { nameof(PipelineSettings.TopTerms), Valid with { TopTerms = 3 }, Valid with { TopTerms = 2 } },
        { nameof(PipelineSettings.TopTerms), Valid with { TopTerms = 50 }, Valid with { TopTerms = 51 } },
        { nameof(PipelineSettings.EbsGigabytes), Valid with { EbsGigabytes = 8 }, Valid with { EbsGigabytes = 7 } },
        { nameof(PipelineSettings.EbsGigabytes), Valid with { EbsGigabytes = 16_384 }, Valid with { EbsGigabytes = 16_385 } },
        { nameof(PipelineSettings.RedshiftNodes), Valid with { RedshiftNodes = 1 }, Valid with { RedshiftNodes = 0 } },
        { nameof(PipelineSettings.RedshiftNodes), Valid with { RedshiftNodes = 32 }, Valid with { RedshiftNodes = 33 } },
        { nameof(PipelineSettings.SpotMaxPricePerHour), Valid with { SpotMaxPricePerHour = 0.0001m }, Valid with { SpotMaxPricePerHour = 0m } },
        { nameof(PipelineSettings.SpotMaxPricePerHour), Valid with { SpotMaxPricePerHour = 100m }, Valid with { SpotMaxPricePerHour = 100.01m } },
        { nameof(PipelineSettings.BudgetCapUsd), Valid with { BudgetCapUsd = 0.01m }, Valid with { BudgetCapUsd = 0.009m } },
        { nameof(PipelineSettings.BudgetCapUsd), Valid with { BudgetCapUsd = 100_000m }, Valid with { BudgetCapUsd = 100_000.01m } },
        { nameof(PipelineSettings.MaxLifetimeHours), Valid with { MaxLifetimeHours = 0.05 }, Valid with { MaxLifetimeHours = 0.049 } },
        { nameof(PipelineSettings.MaxLifetimeHours), Valid with { MaxLifetimeHours = 2_160 }, Valid with { MaxLifetimeHours = 2_160.5 } },
        { nameof(PipelineSettings.MaxLifetimeHours), Valid with { MaxLifetimeHours = 8 }, Valid with { MaxLifetimeHours = double.NaN } },
        { nameof(PipelineSettings.ExpectedPhaseHours), Valid with { ExpectedPhaseHours = [0, 0, 0, 0, 0, 0, 1_000] }, Valid with { ExpectedPhaseHours = [0, 0, 0, 0, 0, 0, 1_000.5] } },
        { nameof(PipelineSettings.ExpectedPhaseHours), Valid with { ExpectedPhaseHours = [0, 0, 0, 0, 0, 0, 0] }, Valid with { ExpectedPhaseHours = [0, 0, 0, 0, 0, 0, -0.1] } },
        { nameof(PipelineSettings.ExpectedPhaseHours), Valid with { ExpectedPhaseHours = [1, 1, 1, 1, 1, 1, 1] }, Valid with { ExpectedPhaseHours = [1, 1, 1, 1, 1, 1, double.NaN] } },
        { nameof(PipelineSettings.ExpectedPhaseHours), Valid with { ExpectedPhaseHours = [1, 1, 1, 1, 1, 1, 1] }, Valid with { ExpectedPhaseHours = [1, 1, 1, 1, 1, 1] } },
        { nameof(PipelineSettings.FallbackInstanceTypes), Valid with { FallbackInstanceTypes = ["m5.large", "m6i.large", "m6a.large", "m7i.large", "r5.large"] },
            Valid with { FallbackInstanceTypes = ["m5.large", "m6i.large", "m6a.large", "m7i.large", "r5.large", "c5.xlarge"] } },
        { nameof(PipelineSettings.RedshiftNodeType), Valid with { RedshiftNodeType = "ra3.xlplus" }, Valid with { RedshiftNodeType = "RA3 large" } },
        { nameof(PipelineSettings.PublishedFrom), Valid with { PublishedFrom = new(2021, 1, 1), PublishedUntil = new(2021, 1, 1) },
            Valid with { PublishedFrom = new(2021, 1, 2), PublishedUntil = new(2021, 1, 1) } },
        { nameof(PipelineSettings.Target), Valid with { Target = DeploymentTarget.Local }, Valid with { Target = (DeploymentTarget)7 } },
        { nameof(PipelineSettings.AwsMetadataSource), Valid with { AwsMetadataSource = PipelineSettings.ReleaseMetadataSource }, Valid with { AwsMetadataSource = "ftp" } },
        { nameof(PipelineSettings.OperatorCidr), Valid with { OperatorCidr = "198.51.100.0/16" }, Valid with { OperatorCidr = "198.51.100.0/15" } },
        { nameof(PipelineSettings.OperatorCidr), Valid with { OperatorCidr = "198.51.100.7/32" }, Valid with { OperatorCidr = "198.51.100.7/33" } },
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void Each_rule_takes_its_last_value_and_refuses_the_next_on_its_own_field(string field, PipelineSettings taken, PipelineSettings refused)
    {
        Assert.Empty(taken.Problems());
        var problem = Assert.Single(refused.Problems());
        Assert.Equal(field, problem.Field);
        // Each message names the cause and the fix.
        Assert.Matches(": (use|give|choose|write|swap)|must be fewer|need seven numbers|Give ", problem.Message);
    }

    [Fact]
    public void A_price_book_that_does_not_read_is_a_problem_of_the_book_and_saved_settings_that_do_not_read_are_the_defaults()
    {
        var problem = Assert.Single((Valid with { PriceBookJson = "{ not json" }).Problems());
        Assert.Equal(nameof(PipelineSettings.PriceBookJson), problem.Field);
        Assert.Null((Valid with { PriceBookJson = "{ not json" }).PricesOrNull());

        // A run's stored settings that no longer read must not stop the meters or de-allocation.
        // (as JSON: the record's arrays compare by reference)
        Assert.Equal(JsonSerializer.Serialize(Valid), JsonSerializer.Serialize(PipelineSettings.FromJsonOrDefault("{ not json")));
        Assert.Equal(JsonSerializer.Serialize(Valid), JsonSerializer.Serialize(PipelineSettings.FromJsonOrDefault(null)));
        Assert.Equal(42, PipelineSettings.FromJsonOrDefault("""{"clusters": 42}""").Clusters);
    }
}
