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

/// <summary>
/// A pre-processed paper: a line of corpus/{corpusId}/documents.jsonl, whose tokens are stems there and numbers into
/// the corpus's <see cref="StemTable"/> here.
/// </summary>
public sealed record CorpusDocument(
    string Id, string? Title, string? Journal, string? PublishTime, string? Authors, string? Doi,
    string Abstract, int[] Tokens);

/// <summary>
/// A reproducible sample of a corpus (phase 5's subset): the same corpus size, sample size and seed give the same
/// documents, kept in corpus order. Chosen from the size alone, so a store can read only the sampled documents.
/// </summary>
public sealed record CorpusSample(int Size, int Seed)
{
    /// <summary>The sampled documents' positions in ascending order, or null when the corpus is no larger than the sample.</summary>
    public int[]? Positions(int count)
    {
        if (count <= Size) return null;
        var indices = Enumerable.Range(0, count).ToArray();
        new Random(Seed).Shuffle(indices);
        var chosen = indices[..Size];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>The sampled items of <paramref name="all"/>; <paramref name="all"/> itself when it is no larger (a corpus loaded as this sample).</summary>
    public IReadOnlyList<T> Of<T>(IReadOnlyList<T> all) =>
        Positions(all.Count) is { } positions ? positions.Select(i => all[i]).ToList() : all;
}

/// <summary>A pre-processed corpus in memory.</summary>
/// <param name="Stems">What the documents' token numbers stand for.</param>
/// <param name="AbstractsInOrder">
/// Where the abstracts are when the documents do not hold them (a large corpus keeps them on disk, read again in
/// document order when a run publishes them); null when each document holds its own.
/// </param>
public sealed record Corpus(CorpusManifest Manifest, StemTable Stems, IReadOnlyList<CorpusDocument> Documents,
    Func<CancellationToken, IAsyncEnumerable<string>>? AbstractsInOrder = null)
{
    /// <summary>The documents' abstracts, in document order.</summary>
    public IAsyncEnumerable<string> ReadAbstractsAsync(CancellationToken ct) =>
        AbstractsInOrder?.Invoke(ct) ?? Documents.Select(d => d.Abstract).ToAsyncEnumerable();
}
