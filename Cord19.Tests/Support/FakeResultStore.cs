using Cord19.Core.Results;

namespace Cord19.Tests.Support;

/// <summary>An in-memory result store for page tests.</summary>
public sealed class FakeResultStore : IResultStore
{
    public List<RunResult> Runs { get; } = [];
    public Dictionary<string, ResultFileException> Broken { get; } = [];
    public string Location => "memory://results";

    public Task<string> SaveCorpusAsync(CorpusManifest manifest, StemTable stems, IEnumerable<CorpusDocument> documents, CancellationToken ct) => throw new NotSupportedException();
    public Task<Corpus?> LoadLatestCorpusAsync(CorpusSample? sample, CancellationToken ct) => Task.FromResult<Corpus?>(null);
    public Task<CorpusManifest?> LoadLatestCorpusManifestAsync(CancellationToken ct) => Task.FromResult<CorpusManifest?>(null);
    public Task PublishRunAsync(RunResult run, CancellationToken ct) { Runs.Add(run); return Task.CompletedTask; }
    public Task DeleteAllAsync(CancellationToken ct) { Runs.Clear(); return Task.CompletedTask; }
    public Task<int> CopyRunsFromAsync(IObjectStore source, CancellationToken ct) => throw new NotSupportedException("Page tests do not copy results.");

    public Task<TopicTermMatrix> LoadTopicTermsAsync(string runId, CancellationToken ct) =>
        Task.FromResult(Find(runId).TopicTerms ?? throw new ResultFileException($"runs/{runId}/topic-terms.json", "missing."));

    /// <summary>One line of a run's documents: it does not wait for <see cref="DocumentsHeld"/>, as the real store's does not wait for a whole read.</summary>
    public async Task<DocumentResult?> LoadDocumentAsync(string runId, int position, CancellationToken ct)
    {
        var documents = (await ReadAsync(runId, withDocuments: true, held: false)).Documents;
        return position >= 0 && position < documents.Count ? documents[position] : null;
    }

    /// <summary>Abstracts whose reads wait, by document id, as the last of a million takes a quarter of a second.</summary>
    public Dictionary<string, TaskCompletionSource> AbstractsHeld { get; } = [];

    public async Task<string?> LoadAbstractAsync(string runId, int position, string documentId, CancellationToken ct)
    {
        if (AbstractsHeld.TryGetValue(documentId, out var held)) await held.Task;
        return Find(runId).Abstracts is { } abstracts ? (await abstracts.FirstOrDefaultAsync(a => a.Id == documentId, ct))?.Abstract : null;
    }

    public Task<PublishedTopicDocuments?> LoadTopicDocumentsAsync(string runId, CancellationToken ct) => Task.FromResult(Find(runId).TopicDocuments);

    /// <summary>What saving a run's topic documents throws (a read-only store), or null to save them.</summary>
    public Exception? TopicDocumentsSaveFailure { get; set; }

    public Task SaveTopicDocumentsAsync(string runId, PublishedTopicDocuments file, CancellationToken ct)
    {
        if (TopicDocumentsSaveFailure is { } failure) throw failure;
        var run = Find(runId);
        Runs[Runs.IndexOf(run)] = run with { TopicDocuments = file };
        return Task.CompletedTask;
    }

    public Task<RunResult> LoadSummaryAsync(string runId, CancellationToken ct) => ReadAsync(runId, withDocuments: false);

    /// <summary>How many times a run was read with its documents, which take about a second for 100,000 of them.</summary>
    public int DocumentReads { get; private set; }

    private RunResult Find(string runId) => Runs.First(r => r.Manifest.RunId == runId);

    public Task<RunListing> ListRunsAsync(CancellationToken ct) =>
        Task.FromResult(new RunListing(Runs.Select(r => r.Manifest).OrderByDescending(m => m.CreatedAt).ToList(), []));

    public Task<RunResult> LoadRunAsync(string runId, CancellationToken ct)
    {
        DocumentReads++;
        return ReadAsync(runId, withDocuments: true);
    }

    /// <summary>The map's points: they do not wait for <see cref="DocumentsHeld"/>, as the real store reads them in a fraction of the time.</summary>
    public async Task<IReadOnlyList<DocumentPoint>> LoadPointsAsync(string runId, int[]? positions, CancellationToken ct) =>
        (await ShownAsync(runId, positions)).Select(d => new DocumentPoint(d.Id, d.Cluster, d.X, d.Y)).ToList();

    /// <summary>How many times the run's titles were read.</summary>
    public int TitleReads { get; private set; }

    /// <summary>The run's titles: like the map's points, they do not wait for <see cref="DocumentsHeld"/>.</summary>
    public async Task<IReadOnlyList<string?>> LoadTitlesAsync(RunManifest run, CancellationToken ct)
    {
        TitleReads++;
        return (await ShownAsync(run.RunId, null)).Select(d => d.Title).ToList();
    }

    /// <summary>The documents at <paramref name="positions"/> (all when null), without waiting for <see cref="DocumentsHeld"/>.</summary>
    private async Task<IEnumerable<DocumentResult>> ShownAsync(string runId, int[]? positions)
    {
        var documents = (await ReadAsync(runId, withDocuments: true, held: false)).Documents;
        return (positions ?? Enumerable.Range(0, documents.Count)).Select(i => documents[i]);
    }

    /// <summary>When set, reads with documents wait for it, as a large run's read takes seconds.</summary>
    public TaskCompletionSource? DocumentsHeld { get; set; }

    private async Task<RunResult> ReadAsync(string runId, bool withDocuments, bool held = true)
    {
        if (withDocuments && held && DocumentsHeld is { } hold) await hold.Task;
        // As in the real store, a broken documents file fails only the reads that include the documents.
        if (Broken.TryGetValue(runId, out var error) && (withDocuments || !error.File.EndsWith("/documents.jsonl", StringComparison.Ordinal))) throw error;
        return withDocuments ? Find(runId) : Find(runId) with { Documents = [] };
    }

    public static RunResult Run(string id, DateTime createdAt, params string[][] clusterTerms)
    {
        var clusters = clusterTerms.Select((terms, i) => new ClusterResult(i, 10 * (i + 1), terms.Select(t => new TermWeight(t, 0.1)).ToList())).ToList();
        var topics = clusterTerms.Select((terms, i) => new TopicResult(i, i, terms.Reverse().Select(t => new TermWeight(t, 0.2)).ToList())).ToList();
        var manifest = new RunManifest(ResultSchema.Version, id, RunManifest.SubsetScope, createdAt, "corpus-1", clusters.Sum(c => c.Size),
            clusters.Count, topics.Count, "centroid-pca", new Dictionary<string, object?>(), [new StepTiming("cluster", 1.5)]);
        return new RunResult(manifest, clusters, topics, []);
    }
}
