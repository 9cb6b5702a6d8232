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

public sealed record Corpus(CorpusManifest Manifest, IReadOnlyList<CorpusDocument> Documents);
