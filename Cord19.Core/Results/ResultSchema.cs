namespace Cord19.Core.Results;

// The result schema, version 1, documented in docs/result-schema.md. Everything a chart, a table or the AWS
// path reads from a finished run is here; add fields freely, but bump the version for a breaking change.

public static class ResultSchema
{
    public const int Version = 1;
}

/// <summary>runs/{runId}/manifest.json, written last: a run without it is not a run.</summary>
public sealed record RunManifest(
    int SchemaVersion,
    string RunId,
    string Scope,
    DateTime CreatedAt,
    string CorpusId,
    int Documents,
    int Clusters,
    int Topics,
    string MapMethod,
    IReadOnlyDictionary<string, object?> Parameters,
    IReadOnlyList<StepTiming> Timings)
{
    public const string SubsetScope = "subset";
    public const string FullScope = "full";
}

public sealed record StepTiming(string Step, double Seconds);

public sealed record TermWeight(string Term, double Weight);

/// <summary>runs/{runId}/clusters.json: one entry per k-means cluster.</summary>
public sealed record ClusterResult(int Id, int Size, IReadOnlyList<TermWeight> TopTerms);

/// <summary>runs/{runId}/topics.json: LDA topics, fitted within each cluster as the seed did.</summary>
public sealed record TopicResult(int Id, int Cluster, IReadOnlyList<TermWeight> TopTerms);

/// <summary>runs/{runId}/documents.jsonl: one line per document.</summary>
public sealed record DocumentResult(
    string Id, string? Title, string? Journal, string? PublishTime, string? Authors, string? Doi,
    int Cluster, float X, float Y, IReadOnlyDictionary<int, float> TopicWeights);

/// <summary>The whole of a finished run, as the pipeline produces it.</summary>
public sealed record RunResult(
    RunManifest Manifest,
    IReadOnlyList<ClusterResult> Clusters,
    IReadOnlyList<TopicResult> Topics,
    IReadOnlyList<DocumentResult> Documents);
