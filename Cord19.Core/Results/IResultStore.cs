namespace Cord19.Core.Results;

/// <summary>
/// Reads and writes pipeline results in the versioned result schema. Pages, the pipeline and the AWS path all
/// go through this, whatever holds the files.
/// </summary>
public interface IResultStore
{
    string Location { get; }

    /// <summary>Saves a pre-processed corpus, its tokens as the stems they number in <paramref name="stems"/>, and makes it the latest one, atomically.</summary>
    Task<string> SaveCorpusAsync(CorpusManifest manifest, StemTable stems, IEnumerable<CorpusDocument> documents, CancellationToken ct);

    /// <summary>
    /// The latest complete corpus, or null when pre-processing never finished; with a sample, only the sampled
    /// documents (and abstracts) are read.
    /// </summary>
    Task<Corpus?> LoadLatestCorpusAsync(CorpusSample? sample, CancellationToken ct);

    /// <summary>The latest complete corpus's manifest alone (its size, without reading its documents), or null.</summary>
    Task<CorpusManifest?> LoadLatestCorpusManifestAsync(CancellationToken ct);

    /// <summary>Writes every file of the run, the manifest last, so a half-written run is never listed.</summary>
    Task PublishRunAsync(RunResult run, CancellationToken ct);

    /// <summary>
    /// Adds runs/{runId}/topic-documents.json to a run made before the pipeline wrote it, once the panel has found it
    /// from the run's documents: later visits, after a restart too, read this small file instead of every document.
    /// </summary>
    Task SaveTopicDocumentsAsync(string runId, PublishedTopicDocuments file, CancellationToken ct);

    /// <summary>Finished runs, newest first, and the runs whose manifest could not be read.</summary>
    Task<RunListing> ListRunsAsync(CancellationToken ct);

    /// <summary>A finished run; throws <see cref="ResultFileException"/> naming the file and the problem.</summary>
    Task<RunResult> LoadRunAsync(string runId, CancellationToken ct);

    /// <summary>A finished run without its documents (manifest, clusters, topics): quick to read whatever the run's size.</summary>
    Task<RunResult> LoadSummaryAsync(string runId, CancellationToken ct);

    /// <summary>
    /// The map's fields of the run's documents at <paramref name="positions"/> (ascending, counted from 0; null for
    /// all), without reading the rest of each line; throws <see cref="ResultFileException"/> when the file holds fewer.
    /// </summary>
    Task<IReadOnlyList<DocumentPoint>> LoadPointsAsync(string runId, int[]? positions, CancellationToken ct);

    /// <summary>
    /// Every document's title, in the run's order, for the map's search: from the run's titles.txt, or for a run made
    /// before it from documents.jsonl's lines, read for their titles alone. <paramref name="run"/> is the manifest the
    /// caller holds already: titles.txt must have a line for each of its documents.
    /// </summary>
    Task<IReadOnlyList<string?>> LoadTitlesAsync(RunManifest run, CancellationToken ct);

    /// <summary>The run's topic-term distributions; throws <see cref="ResultFileException"/> when missing or inconsistent.</summary>
    Task<TopicTermMatrix> LoadTopicTermsAsync(string runId, CancellationToken ct);

    /// <summary>
    /// The run's topic timelines and top documents as published with it, or null for a run made before they were;
    /// throws <see cref="ResultFileException"/> when the file is unreadable or inconsistent.
    /// </summary>
    Task<PublishedTopicDocuments?> LoadTopicDocumentsAsync(string runId, CancellationToken ct);

    /// <summary>
    /// The run's document at <paramref name="position"/> (counted from 0) without reading the others, or null when the
    /// file holds fewer.
    /// </summary>
    Task<DocumentResult?> LoadDocumentAsync(string runId, int position, CancellationToken ct);

    /// <summary>
    /// The abstract of the document <paramref name="documentId"/>, found at its <paramref name="position"/> (the
    /// abstracts are published in the documents' order), or null when the run stores none for it; no other abstract is
    /// kept in memory.
    /// </summary>
    Task<string?> LoadAbstractAsync(string runId, int position, string documentId, CancellationToken ct);

    /// <summary>Deletes every corpus and run.</summary>
    Task DeleteAllAsync(CancellationToken ct);

    /// <summary>
    /// Copies the runs another store holds (the AWS deployment's bucket) that this one lacks; returns how many
    /// files were copied. A run's files never change once published, so a run already here is not read again.
    /// </summary>
    Task<int> CopyRunsFromAsync(IObjectStore source, CancellationToken ct);
}

public sealed record RunListing(IReadOnlyList<RunManifest> Runs, IReadOnlyList<string> Problems);

/// <summary>A result file is missing or unreadable. The message names the file and the problem.</summary>
public sealed class ResultFileException(string file, string problem, Exception? inner = null)
    : Cord19Exception($"{file}: {problem}", inner)
{
    public override FailureKind Failure => FailureKind.NotFound;
    public override string Title => "Result not available";

    public string File { get; } = file;
    public string Problem { get; } = problem;
}
