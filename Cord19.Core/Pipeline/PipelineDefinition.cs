namespace Cord19.Core.Pipeline;

/// <summary>One step of the pipeline: what the local orchestrator runs and what an Airflow DAG task will run.</summary>
public sealed record PipelineStep(string Id, string Dag, string Title, IReadOnlyList<string> DependsOn);

/// <summary>An Airflow task: one run of the pipeline program (<paramref name="Command"/>) covering <paramref name="Steps"/>.</summary>
public sealed record PipelineTask(string Id, string Dag, string Command, IReadOnlyList<PipelineStep> Steps);

/// <summary>
/// The pipeline's steps, in order, defined once. The local target runs them with cord19-pipeline; the Airflow DAGs are
/// to be generated from (or checked against) this same list so the two cannot drift.
/// </summary>
public static class PipelineDefinition
{
    public const string PreprocessingDag = "cord19_preprocessing";
    public const string ProcessingDag = "cord19_processing";

    public static readonly PipelineStep Preprocess = new("preprocess", PreprocessingDag,
        "Filter, clean, tokenise and stem the abstracts into the corpus", []);
    public static readonly PipelineStep Sample = new("sample", ProcessingDag,
        "Take the documents of this run (a reproducible subset, or all)", ["preprocess"]);
    public static readonly PipelineStep Vectorise = new("tfidf", ProcessingDag,
        "TF-IDF vectors over the most frequent terms", ["sample"]);
    public static readonly PipelineStep Cluster = new("cluster", ProcessingDag,
        "PCA, then k-means", ["tfidf"]);
    public static readonly PipelineStep Topics = new("topics", ProcessingDag,
        "LDA topics within each cluster", ["cluster"]);
    public static readonly PipelineStep Map = new("map", ProcessingDag,
        "2D document map", ["cluster"]);
    public static readonly PipelineStep Quality = new("quality", ProcessingDag,
        "Silhouette, topic coherence and map neighbourhood preservation", ["topics", "map"]);
    public static readonly PipelineStep Publish = new("publish", ProcessingDag,
        "Write the results (manifest last)", ["quality"]);

    public static IReadOnlyList<PipelineStep> Steps { get; } = [Preprocess, Sample, Vectorise, Cluster, Topics, Map, Quality, Publish];

    /// <summary>
    /// The steps grouped into the tasks that Airflow runs, one cord19-pipeline process each: steps inside a
    /// task share memory (the TF-IDF matrix, the clusters), so a task boundary is where results are on disk.
    /// </summary>
    public static IReadOnlyList<PipelineTask> Tasks { get; } =
    [
        new("preprocess", PreprocessingDag, "preprocess", [Preprocess]),
        new("process", ProcessingDag, "process", [Sample, Vectorise, Cluster, Topics, Map, Quality, Publish]),
    ];
}
