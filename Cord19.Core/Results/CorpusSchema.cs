namespace Cord19.Core.Results;

/// <summary>corpus/{corpusId}/manifest.json: what pre-processing kept and what it skipped, and why.</summary>
public sealed record CorpusManifest(
    int SchemaVersion,
    string CorpusId,
    DateTime CreatedAt,
    string Source,
    long RowsRead,
    int DocumentsKept,
    IReadOnlyDictionary<string, long> Skipped,
    IReadOnlyDictionary<string, object?> Parameters,
    IReadOnlyDictionary<string, string> SurfaceForms);

/// <summary>corpus/{corpusId}/documents.jsonl: one pre-processed paper per line.</summary>
public sealed record CorpusDocument(
    string Id, string? Title, string? Journal, string? PublishTime, string? Authors, string? Doi,
    string Abstract, IReadOnlyList<string> Tokens);

/// <summary>A pre-processed corpus in memory.</summary>
/// <param name="AbstractsInOrder">
/// Where the abstracts are when the documents do not hold them (a large corpus keeps them on disk, read again in
/// document order when a run publishes them); null when each document holds its own.
/// </param>
public sealed record Corpus(CorpusManifest Manifest, IReadOnlyList<CorpusDocument> Documents,
    Func<CancellationToken, IAsyncEnumerable<string>>? AbstractsInOrder = null)
{
    /// <summary>The documents' abstracts, in document order.</summary>
    public IAsyncEnumerable<string> ReadAbstractsAsync(CancellationToken ct) =>
        AbstractsInOrder?.Invoke(ct) ?? Documents.Select(d => d.Abstract).ToAsyncEnumerable();
}
