using System.Text.Json.Serialization;
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
    IReadOnlyList<StepTiming> Timings,
    RunQuality? Quality = null)
{
    public const string SubsetScope = "subset";
    public const string FullScope = "full";
}

public sealed record StepTiming(string Step, double Seconds);

/// <summary>
/// How good the run is: k-means silhouette (cosine, on the PCA vectors of a 5,000-document sample), mean UMass
/// coherence of the topics' top-10 words, and the share of 10 nearest neighbours the map keeps (1,000-document sample).
/// </summary>
public sealed record RunQuality(double Silhouette, double Coherence, double NeighbourPreservation);

public sealed record TermWeight(string Term, double Weight);

/// <summary>runs/{runId}/clusters.json: one entry per k-means cluster.</summary>
public sealed record ClusterResult(int Id, int Size, IReadOnlyList<TermWeight> TopTerms);

/// <summary>runs/{runId}/topics.json: LDA topics, fitted within each cluster as the seed did.</summary>
/// <param name="Prevalence">The topic's share of all documents' topic weight in the run (sums to 1 over topics).</param>
public sealed record TopicResult(int Id, int Cluster, IReadOnlyList<TermWeight> TopTerms, double Prevalence = 0);

/// <summary>
/// runs/{runId}/topic-terms.json: each topic's whole term distribution and the run's overall term
/// distribution over the same vocabulary: what relevance ranking (pyLDAvis' lambda) and topic distances need.
/// </summary>
public sealed record TopicTermMatrix(
    IReadOnlyList<string> Terms,
    IReadOnlyList<double> TermProbability,
    IReadOnlyList<TopicTerms> Topics);

/// <param name="Probabilities">P(term | topic), one value per entry of <see cref="TopicTermMatrix.Terms"/>.</param>
public sealed record TopicTerms(int Id, IReadOnlyList<double> Probabilities);

/// <summary>runs/{runId}/abstracts.jsonl: the abstract of each document, read only when one is opened.</summary>
public sealed record DocumentAbstract(string Id, string Abstract);

/// <summary>
/// The byte offsets in a JSON-lines file of its lines 0, <paramref name="Every"/>, 2 × <paramref name="Every"/>, …:
/// where to start reading one line (a run's documents.jsonl and abstracts.jsonl each have one).
/// </summary>
public sealed record LineOffsets(int Every, IReadOnlyList<long> Offsets);

/// <summary>runs/{runId}/documents.jsonl: one line per document.</summary>
public sealed record DocumentResult(
    string Id, string? Title, string? Journal, string? PublishTime, string? Authors, string? Doi,
    int Cluster, float X, float Y, [property: JsonConverter(typeof(TopicWeightsJson))] IReadOnlyDictionary<int, float> TopicWeights) : IDocumentPoint;

/// <summary>
/// What the document map needs of a line of runs/{runId}/documents.jsonl: the reader skips the rest of the line
/// (titles, authors, topic weights), so a million documents' points read in a fraction of their whole read.
/// </summary>
public sealed record DocumentPoint(string Id, int Cluster, float X, float Y) : IDocumentPoint;

/// <summary>A document's place on the map, whether read alone (<see cref="DocumentPoint"/>) or with the rest (<see cref="DocumentResult"/>).</summary>
public interface IDocumentPoint
{
    string Id { get; }
    int Cluster { get; }
    float X { get; }
    float Y { get; }
}

/// <summary>
/// runs/{runId}/topic-documents.json: each topic's timeline and top documents (<c>Insights.TopicDocuments</c>), written
/// with the run so that the Topics page need not read every document for them (seconds for a million). Runs made
/// before it lack it; the page then finds them from the documents.
/// </summary>
/// <param name="TopCount">The most top documents a topic keeps.</param>
/// <param name="Months">Every publish month with a dated document, in order.</param>
public sealed record PublishedTopicDocuments(int TopCount, IReadOnlyList<MonthDocuments> Months, IReadOnlyList<TopicDocumentsEntry> Topics);

public sealed record MonthDocuments(DateOnly Start, int Documents);

/// <param name="WeightPerMonth">The topic's weight summed over each month's documents, in the file's order of months.</param>
/// <param name="Top">The documents with most of the topic, heaviest first.</param>
public sealed record TopicDocumentsEntry(int Id, IReadOnlyList<double> WeightPerMonth, IReadOnlyList<DocumentResult> Top);

/// <summary>The whole of a finished run, as the pipeline produces it.</summary>
public sealed record RunResult(
    RunManifest Manifest,
    IReadOnlyList<ClusterResult> Clusters,
    IReadOnlyList<TopicResult> Topics,
    IReadOnlyList<DocumentResult> Documents,
    TopicTermMatrix? TopicTerms = null,
    IAsyncEnumerable<DocumentAbstract>? Abstracts = null,
    PublishedTopicDocuments? TopicDocuments = null);
