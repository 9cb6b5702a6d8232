using System.Text.Json.Serialization;
using Cord19.Core.Deployments;

namespace Cord19.Core.Settings;

/// <summary>
/// What the user chooses in Settings: the target, the input data and the pipeline's parameters.
/// Defaults are the seed notebook's: papers since 2020-01-01, k = 6, 5 topics per cluster, 1,500 TF-IDF features.
/// </summary>
public sealed record PipelineSettings
{
    /// <summary>Where the next deployment runs: this machine (the default) or AWS.</summary>
    public DeploymentTarget Target { get; init; } = DeploymentTarget.Local;

    /// <summary>A CORD-19 metadata.csv (plain or .gz); empty for the sample shipped with the app.</summary>
    public string? MetadataPath { get; init; }

    public DateOnly? PublishedFrom { get; init; } = new(2020, 1, 1);
    public DateOnly? PublishedUntil { get; init; }

    /// <summary>Documents in the small-subset run (phase 5).</summary>
    public int SubsetSize { get; init; } = 1_500;

    public int Clusters { get; init; } = 6;
    public int TopicsPerCluster { get; init; } = 5;

    /// <summary>
    /// 0: the seed's LDA per cluster (<see cref="TopicsPerCluster"/> each). Above 0: one LDA over every document
    /// with this many topics (the "large" preset), each topic filed under the cluster where it weighs most.
    /// </summary>
    public int GlobalTopics { get; init; }
    public int MaxFeatures { get; init; } = 1_500;

    /// <summary>PCA dimensions kept before k-means.</summary>
    public int ReducedDimensions { get; init; } = 50;

    public int LdaIterations { get; init; } = 50;
    public int TopTerms { get; init; } = 10;
    public int Seed { get; init; } = 42;

    // Infrastructure sizes: what the AWS target creates, and what the meters price (also for the local target's
    // "would have cost on AWS").
    public string InstanceType { get; init; } = DefaultInstanceType;

    /// <summary>
    /// The types phase 1 asks for, in this order, when no zone has spot room for <see cref="InstanceType"/> within the
    /// max price (or sells it within the max at all). Spot room runs out type by type and zone by zone, so AWS's spot
    /// guidance is to be flexible about the type; each default has the first choice's 4 vCPUs and 16 GiB, on x86_64,
    /// without CPU credits. Empty: the first choice only.
    /// </summary>
    public string[] FallbackInstanceTypes { get; init; } = [.. DefaultFallbackInstanceTypes];

    /// <summary>The types phase 1 may launch: <see cref="InstanceType"/> first, then each fallback once.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> SpotInstanceTypes => [.. new[] { InstanceType }.Concat(FallbackInstanceTypes).Distinct(StringComparer.Ordinal)];

    public decimal SpotMaxPricePerHour { get; init; } = 0.12m;
    public int EbsGigabytes { get; init; } = 30;
    /// <summary>RA3: AWS no longer provisions DC2 nodes. ra3.large is the smallest RA3 node and can run single-node.</summary>
    public string RedshiftNodeType { get; init; } = "ra3.large";
    public int RedshiftNodes { get; init; } = 1;

    // The AWS target's account-side choices.
    public string AwsRegion { get; init; } = "us-east-2";

    /// <summary>
    /// Where the AWS target's metadata comes from: the COVID-19 data lake, exported by Redshift in phase 2 (the seed's
    /// way), the panel's own metadata file (no cluster at all), or a CORD-19 release the instance downloads itself
    /// into the deployment's bucket (no cluster, no traffic through the panel).
    /// </summary>
    public string AwsMetadataSource { get; init; } = DataLakeMetadataSource;

    /// <summary>
    /// 4 vCPUs and 16 GiB at a fixed performance. Not a T type: the AWS target launches those with standard CPU credits
    /// (unlimited ones bill surplus CPU the meters cannot see), and a T3 gets no launch credits in standard mode, so the
    /// pipeline's steps, which take every core for hours, would run at the type's baseline (40% of each vCPU for a
    /// t3.xlarge): 2.5 times as long, for an hourly price only an eighth lower (on demand, and in the price book's spot
    /// estimates).
    /// </summary>
    public const string DefaultInstanceType = "m5.xlarge";

    /// <summary>Intel's next generation, AMD's, and AMD's next: the same size as <see cref="DefaultInstanceType"/>, priced alike.</summary>
    public static readonly IReadOnlyList<string> DefaultFallbackInstanceTypes = ["m6i.xlarge", "m5a.xlarge", "m6a.xlarge"];

    /// <summary>More would only lengthen a launch that fails anyway: each type is asked in every zone within the max.</summary>
    public const int MaxFallbackInstanceTypes = 5;

    public const string DataLakeMetadataSource = "data-lake";
    public const string PanelMetadataSource = "panel-file";
    public const string ReleaseMetadataSource = "release";

    /// <summary>The release the instance downloads when <see cref="AwsMetadataSource"/> is "release": a date, "final", or a mirror's address.</summary>
    public string AwsRelease { get; init; } = Releases.Cord19Releases.Final;

    /// <summary>
    /// The Apache Airflow release the instance installs (3.x, or 2.x). Airflow 3 by default: Airflow 2 reached its end
    /// of life on 2026-04-22 and gets no security fixes, and the instance serves its API to the operator's address.
    /// </summary>
    public string AirflowVersion { get; init; } = "3.2.2";

    /// <summary>Airflow 2's end of life: no fixes at all since (Airflow's README, "Version Life Cycle").</summary>
    public static readonly DateOnly AirflowTwoEndOfLife = new(2026, 4, 22);

    /// <summary>Who may reach Airflow and Redshift, e.g. 203.0.113.7/32; empty: this machine's public address, looked up at phase 1.</summary>
    public string? OperatorCidr { get; init; }

    /// <summary>Expected hours of phases 1 to 7, for estimates and the projected total.</summary>
    public double[] ExpectedPhaseHours { get; init; } = [0.2, 0.25, 0.1, 0.5, 0.25, 2.0, 0.1];

    /// <summary>De-allocate by itself when the deployment's cost reaches this many dollars; null for no cap.</summary>
    public decimal? BudgetCapUsd { get; init; } = 5m;

    /// <summary>
    /// De-allocate by itself when the deployment is this many hours old; null for no limit (local target only: on AWS
    /// it is also when the instance ends itself, panel or not).
    /// </summary>
    public double? MaxLifetimeHours { get; init; } = 8;

    /// <summary>An edited copy of the price file; null for the prices shipped with the app.</summary>
    public string? PriceBookJson { get; init; }

    /// <summary>The problems that make these settings unusable, each naming the field and the fix. Empty when valid.</summary>
    /// <param name="dataRoots">The folders input files must be in (CORD19_DATA_ROOTS); empty: anywhere.</param>
    public IReadOnlyList<string> Validate(IReadOnlyList<string>? dataRoots = null) => Problems(dataRoots).Select(p => p.Message).ToList();

    /// <summary>The same problems, each with the property it is about, so a form can mark that field.</summary>
    public IReadOnlyList<SettingsProblem> Problems(IReadOnlyList<string>? dataRoots = null)
    {
        var errors = new SettingsProblems();
        if (!Enum.IsDefined(Target))
            errors.Add(nameof(Target), $"Target '{Target}' is unknown: choose 'local' or 'aws'.");
        if (AwsNaming.RegionProblem(AwsRegion) is { } regionProblem)
            errors.Add(nameof(AwsRegion), regionProblem);
        if (AwsMetadataSource is not (DataLakeMetadataSource or PanelMetadataSource or ReleaseMetadataSource))
            errors.Add(nameof(AwsMetadataSource), $"AWS metadata source '{AwsMetadataSource}' is unknown: use '{DataLakeMetadataSource}' (Redshift exports the COVID-19 data lake), '{PanelMetadataSource}' (the panel's metadata file) or '{ReleaseMetadataSource}' (the instance downloads a CORD-19 release).");
        if (AwsMetadataSource == ReleaseMetadataSource && Releases.Cord19Releases.NameProblem(AwsRelease) is { } releaseProblem)
            errors.Add(nameof(AwsRelease), releaseProblem);
        if (!AwsNaming.IsAirflowVersion(AirflowVersion))
            errors.Add(nameof(AirflowVersion), $"Airflow version '{AirflowVersion}' is not a 3.x or 2.x release number: use one such as 3.2.2 (or 2.10.5, though Airflow 2 gets no security fixes since {AirflowTwoEndOfLife:yyyy-MM-dd}).");
        if (!string.IsNullOrWhiteSpace(OperatorCidr) && AwsNaming.CidrProblem(OperatorCidr) is { } cidrProblem)
            errors.Add(nameof(OperatorCidr), cidrProblem);
        if (!AwsNaming.IsInstanceType(InstanceType))
            errors.Add(nameof(InstanceType), $"Instance type '{InstanceType}' is not an EC2 instance type name: use one such as {DefaultInstanceType}.");
        if (FallbackInstanceTypes.FirstOrDefault(t => !AwsNaming.IsInstanceType(t)) is { } notAType)
            errors.Add(nameof(FallbackInstanceTypes), $"Fallback instance type '{notAType}' is not an EC2 instance type name: use names such as {string.Join(", ", DefaultFallbackInstanceTypes)}, separated by commas, or none.");
        else if (FallbackInstanceTypes.Length > MaxFallbackInstanceTypes)
            errors.Add(nameof(FallbackInstanceTypes), $"{FallbackInstanceTypes.Length} fallback instance types: give at most {MaxFallbackInstanceTypes}.");
        if (!AwsNaming.IsInstanceType(RedshiftNodeType))
            errors.Add(nameof(RedshiftNodeType), $"Redshift node type '{RedshiftNodeType}' is not a node type name: use one such as ra3.large or ra3.xlplus.");
        if (!string.IsNullOrWhiteSpace(MetadataPath) && DataRoots.Problem(MetadataPath, dataRoots ?? []) is { } outside)
            errors.Add(nameof(MetadataPath), outside);
        else if (!string.IsNullOrWhiteSpace(MetadataPath) && !File.Exists(MetadataPath))
            errors.Add(nameof(MetadataPath), $"Metadata file '{MetadataPath}' does not exist: give the full path of a CORD-19 metadata.csv or metadata.csv.gz, or leave it empty for the shipped sample.");
        if (PublishedFrom is { } from && PublishedUntil is { } until && from > until)
            errors.Add(nameof(PublishedFrom), $"Published-from ({from:yyyy-MM-dd}) is after published-until ({until:yyyy-MM-dd}): swap them or clear one.");
        errors.Range(nameof(SubsetSize), "Subset size", SubsetSize, 50, 1_000_000);
        errors.Range(nameof(Clusters), "Clusters (k)", Clusters, 2, 100);
        errors.Range(nameof(TopicsPerCluster), "Topics per cluster", TopicsPerCluster, 1, 50);
        errors.Range(nameof(GlobalTopics), "Global topics", GlobalTopics, 0, 200);
        errors.Range(nameof(MaxFeatures), "TF-IDF features", MaxFeatures, 50, 100_000);
        errors.Range(nameof(ReducedDimensions), "PCA dimensions", ReducedDimensions, 2, 500);
        errors.Range(nameof(LdaIterations), "LDA iterations", LdaIterations, 10, 2_000);
        errors.Range(nameof(TopTerms), "Top terms", TopTerms, 3, 50);
        if (ReducedDimensions >= MaxFeatures)
            errors.Add(nameof(ReducedDimensions), $"PCA dimensions ({ReducedDimensions}) must be fewer than TF-IDF features ({MaxFeatures}).");
        if (SpotMaxPricePerHour is <= 0 or > 100)
            errors.Add(nameof(SpotMaxPricePerHour), $"Spot max price is ${SpotMaxPricePerHour}/h: use a positive price below $100/h.");
        errors.Range(nameof(EbsGigabytes), "EBS volume (GB)", EbsGigabytes, 8, 16_384);
        errors.Range(nameof(RedshiftNodes), "Redshift nodes", RedshiftNodes, 1, 32);
        if (ExpectedPhaseHours.Length != 7 || ExpectedPhaseHours.Any(h => h < 0 || h > 1_000 || double.IsNaN(h)))
            errors.Add(nameof(ExpectedPhaseHours), "Expected phase hours need seven numbers from 0 to 1,000, one per phase, decimals after a point, e.g. 0.2, 0.25, 0.1, 0.5, 0.25, 2, 0.1.");
        if (BudgetCapUsd is < 0.01m or > 100_000m)
            errors.Add(nameof(BudgetCapUsd), $"Budget cap is ${BudgetCapUsd}: use an amount from $0.01 to $100,000, or leave it empty for no cap.");
        if (MaxLifetimeHours is { } life && (life < 0.05 || life > 24 * 90 || double.IsNaN(life)))
            errors.Add(nameof(MaxLifetimeHours), $"Maximum lifetime is {life} hours: use 0.05 to 2,160 hours (90 days), or leave it empty for no limit.");
        // The lifetime is what ends an AWS instance when no panel runs to de-allocate it (InstanceEndOfLife).
        else if (Target == DeploymentTarget.Aws && MaxLifetimeHours is null)
            errors.Add(nameof(MaxLifetimeHours), "The AWS target needs a maximum lifetime: the instance ends itself then, even if the panel is " +
                "closed or gone, so a forgotten one stops billing. Give 0.05 to 2,160 hours (8 is the default); only the local target may have none.");
        Costs.PriceBook? book = null;
        try { book = Prices(); }
        catch (Costs.PriceBookException ex) { errors.Add(nameof(PriceBookJson), ex.Message); }
        // The cap counts the cost from these prices: one missing leaves the meter's total unknown and the cap blind, with
        // only the lifetime guarding, and nothing said until someone opens the Costs page.
        if (BudgetCapUsd is { } cap && book is not null && Costs.CostEstimate.MissingPrices(this, book) is { Count: > 0 } missing
            && FieldPricedBy(missing[0]) is var field && errors.All.All(e => e.Field != field)) // a name that is no type has its own problem
            errors.Add(field,
                $"The price book has no {string.Join(" or ", missing.Select(k => $"'{k}'"))}, so the {Costs.Money.Cap(cap)} cost cap could not count " +
                "that cost and would never be reached: read the region's prices from AWS (the button under the price book adds the types chosen here), " +
                "add the price to the book by hand, choose a type the book prices, or clear the cap (the lifetime still guards).");
        return errors.All;
    }

    /// <summary>The field whose value names a price key: the instance type, the node type, or the book itself.</summary>
    private static string FieldPricedBy(string key) =>
        key.StartsWith("ec2.", StringComparison.Ordinal) ? nameof(InstanceType)
        : key.StartsWith("redshift.", StringComparison.Ordinal) ? nameof(RedshiftNodeType)
        : nameof(PriceBookJson);

    /// <summary>
    /// The settings a run was started with (stored as JSON beside it); the defaults when there are none or they no
    /// longer read (a hand-edited row must not stop the meters or de-allocation).
    /// </summary>
    public static PipelineSettings FromJsonOrDefault(string? json)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<PipelineSettings>(json ?? "{}", SettingsStore.Json) ?? new();
        }
        catch (System.Text.Json.JsonException)
        {
            return new PipelineSettings();
        }
    }

    [JsonIgnore]
    public bool UsesShippedSample => string.IsNullOrWhiteSpace(MetadataPath);

    /// <summary>The price book in force, or null when the edited copy cannot be read.</summary>
    public Costs.PriceBook? PricesOrNull()
    {
        try { return Prices(); }
        catch (Costs.PriceBookException) { return null; }
    }

    /// <summary>The price book in force: the edited copy if any, else the shipped file.</summary>
    public Costs.PriceBook Prices() =>
        string.IsNullOrWhiteSpace(PriceBookJson) ? Costs.PriceBook.Default : Costs.PriceBook.Parse(PriceBookJson, "Edited prices");
}
