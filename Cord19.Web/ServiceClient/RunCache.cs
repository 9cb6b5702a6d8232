using Cord19.Core.Results;

namespace Cord19.Web.ServiceClient;

/// <summary>
/// Keeps what the result pages read of the few most recently opened runs (summaries, map points and titles, topic
/// documents): a published run never changes, and every circuit showing it and every chart payload request needs
/// them. A run is read whole only for the Topics page of a run made before topic-documents.json was published, once:
/// what it finds is then written beside the run's other files.
/// </summary>
public sealed class RunCache(IResultStore store, ILogger<RunCache>? logger = null)
{
    private const int Capacity = 8;
    private readonly Lock _gate = new();
    private readonly LinkedList<(string Key, Task<object> Value)> _entries = new();

    // Loads are shared between callers, so none of them may cancel one: they run to completion.
    public async Task<RunResult> GetSummaryAsync(string runId) =>
        (RunResult)await GetAsync($"summary:{runId}", async () => await store.LoadSummaryAsync(runId, CancellationToken.None));

    /// <summary>
    /// The document map's payload, built once per run and point limit, for the chart's request and the page's search:
    /// the shown documents' points alone (for a million documents a fraction of a second, where a whole read takes seconds).
    /// </summary>
    public async Task<Model.DocumentMapPayload> GetMapPayloadAsync(string runId, int limit) =>
        (Model.DocumentMapPayload)await GetAsync($"map:{runId}:{limit}", async () =>
        {
            var (summary, positions) = await ShownAsync(runId, limit);
            var points = await store.LoadPointsAsync(runId, positions, CancellationToken.None);
            return Model.DocumentMapPayload.Build(runId, summary.Clusters, positions is null ? points.Count : summary.Manifest.Documents, positions, points);
        });

    /// <summary>
    /// Every title of the run, for the map's search: read apart from the documents' other fields, when first needed
    /// (0.3-0.4 s for a million from titles.txt, 1.0-1.1 s from an older run's documents.jsonl), and kept compact
    /// (<see cref="Model.DocumentTitleIndex"/>).
    /// </summary>
    public async Task<Model.DocumentTitleIndex> GetTitlesAsync(string runId) =>
        (Model.DocumentTitleIndex)await GetAsync($"titles:{runId}", async () =>
            Model.DocumentTitleIndex.Build(await store.LoadTitlesAsync((await GetSummaryAsync(runId)).Manifest, CancellationToken.None)));

    /// <summary>The run's summary and which of its documents a map of <paramref name="limit"/> points shows (null for all).</summary>
    private async Task<(RunResult Summary, int[]? Positions)> ShownAsync(string runId, int limit)
    {
        var summary = await GetSummaryAsync(runId);
        return (summary, Model.DocumentMapPayload.Sample(summary.Manifest.Documents, limit));
    }

    public async Task<byte[]> GetMapBinaryAsync(string runId, int limit) =>
        (byte[])await GetAsync($"map-binary:{runId}:{limit}", async () => (await GetMapPayloadAsync(runId, limit)).ToBinary());

    /// <summary>
    /// Each topic's timeline and top documents (<paramref name="topCount"/> of them): as published with the run, or found
    /// from its documents for a run made before they were published.
    /// </summary>
    public async Task<Core.Insights.TopicDocuments> GetTopicDocumentsAsync(string runId, int topCount) =>
        (Core.Insights.TopicDocuments)await GetAsync($"topic-documents:{runId}:{topCount}", async () =>
            await store.LoadTopicDocumentsAsync(runId, CancellationToken.None) is { } published && published.TopCount >= topCount
                ? Core.Insights.TopicDocuments.FromFile(published, topCount)
                : await FindTopicDocumentsAsync(runId, topCount));

    /// <summary>
    /// Reads the run whole (seconds and gigabytes for a million documents), keeps only what it finds, and writes that
    /// to the run's topic-documents.json: the whole run once stayed in this cache, and was read again after each restart.
    /// </summary>
    private async Task<Core.Insights.TopicDocuments> FindTopicDocumentsAsync(string runId, int topCount)
    {
        var found = Core.Insights.TopicDocuments.Compute((await store.LoadRunAsync(runId, CancellationToken.None)).Documents, topCount);
        try
        {
            await store.SaveTopicDocumentsAsync(runId, found.ToFile(), CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or HttpRequestException or Amazon.S3.AmazonS3Exception)
        {
            // A store the panel may not write to (read-only files, a bucket without PutObject) still shows the page.
            logger?.LogWarning("Could not save runs/{RunId}/topic-documents.json ({Reason}): this run's Topics page reads every document after each restart.", runId, ex.Message);
        }
        return found;
    }

    public async Task<TopicTermMatrix> GetTopicTermsAsync(string runId) =>
        (TopicTermMatrix)await GetAsync($"topics:{runId}", async () => await store.LoadTopicTermsAsync(runId, CancellationToken.None));

    /// <summary>The document a point's tooltip or a click shows: its one line (null when the run has no such document).</summary>
    public Task<DocumentResult?> GetDocumentAsync(string runId, int position) =>
        store.LoadDocumentAsync(runId, position, CancellationToken.None);

    /// <summary>An opened document's abstract, read each time: a run's abstracts are not kept (a million real ones held 3.4 GB).</summary>
    public Task<string?> GetAbstractAsync(string runId, int position, string documentId) =>
        store.LoadAbstractAsync(runId, position, documentId, CancellationToken.None);

    // Called under _gate.
    private LinkedListNode<(string Key, Task<object> Value)>? Find(string key)
    {
        var node = _entries.First;
        while (node is not null && node.Value.Key != key) node = node.Next;
        return node;
    }

    private async Task<object> GetAsync(string key, Func<Task<object>> load)
    {
        Task<object> task;
        lock (_gate)
        {
            if (Find(key) is { } node)
            {
                _entries.Remove(node);
                _entries.AddFirst(node);
                task = node.Value.Value;
            }
            else
            {
                task = load();
                _entries.AddFirst((key, task));
                while (_entries.Count > Capacity) _entries.RemoveLast();
            }
        }
        try
        {
            return await task;
        }
        catch
        {
            // A failed read (missing or corrupt file) is not remembered: the user may fix it and retry.
            lock (_gate)
            {
                if (Find(key) is { } node && node.Value.Value == task) _entries.Remove(node);
            }
            throw;
        }
    }
}
