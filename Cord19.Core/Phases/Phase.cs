namespace Cord19.Core.Phases;

/// <summary>One of the seven phases of a CORD-19 pipeline deployment. The same list serves every target.</summary>
public sealed record Phase(int Number, string Name, string Description)
{
    public const int First = 1;
    /// <summary>Redshift and the data lake: the one phase that runs the cluster.</summary>
    public const int Warehouse = 2;
    public const int Deallocation = 7;

    public static IReadOnlyList<Phase> All { get; } =
    [
        new(1, "EC2 and Airflow configuration",
            "Start the machine that orchestrates the pipeline and its orchestrator (locally: the workspace and the local step runner)."),
        new(2, "Redshift and data lake setup",
            "Register the CORD-19 metadata as a queryable table (locally: DuckDB over the metadata file)."),
        new(3, "DAGs ready",
            "Register the pipeline definition: pre-processing, clustering, topics and the document map."),
        new(4, "Data pre-processing",
            "Keep English papers with an abstract in the publish-time window; clean, tokenise, drop stop words, stem."),
        new(5, "Processing on a small data subset",
            "TF-IDF, PCA, k-means, LDA per cluster and a 2D map on a reproducible sample of the corpus."),
        new(6, "Processing on the entire dataset",
            "The same processing on the whole pre-processed corpus."),
        new(7, "Resource de-allocation",
            "Delete every resource the deployment created. Results stay unless you ask to delete them."),
    ];

    public static Phase Get(int number) =>
        TryGet(number) ?? throw new ArgumentOutOfRangeException(nameof(number), number, "Phases are numbered 1 to 7.");

    public static Phase? TryGet(int number) => number is >= 1 and <= 7 ? All[number - 1] : null;

    public bool IsDeallocation => Number == Deallocation;

    /// <summary>The phase that must have succeeded before this one may start; null when none.</summary>
    public Phase? Prerequisite => Number is > First and < Deallocation ? All[Number - 2] : null;
}
