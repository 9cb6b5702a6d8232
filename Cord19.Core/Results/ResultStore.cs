using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Cord19.Core.Results;

/// <summary>The result schema (see docs/result-schema.md) laid out over any <see cref="IObjectStore"/>.</summary>
public sealed class ResultStore(IObjectStore objects) : IResultStore
{
    private const string LatestCorpusKey = "corpus/latest.json";
    private const string TopicTermsFile = "topic-terms.json";
    private const string AbstractsFile = "abstracts.jsonl";
    private const string DocumentsFile = "documents.jsonl";
    private const string TopicDocumentsFile = "topic-documents.json";
    private const string DocumentOffsetsFile = "document-offsets.json";
    private const string AbstractOffsetsFile = "abstract-offsets.json";
    private const string TitlesFile = "titles.txt";
    private const int CorporaKept = 2;
    private const int LineOffsetsRemembered = 64;

    // Each run's published line offsets, read once: a run never changes once published (its id is never reused), and
    // on an S3 bucket every read of them is a request of its own before the line's range read. A few kB a run.
    private readonly ConcurrentDictionary<string, LineOffsets?> _lineOffsets = new(StringComparer.Ordinal);

    // NaN or infinite numbers are written and read as "NaN" / "Infinity" rather than failing the whole file,
    // so that a bad coordinate reaches the page as a named problem instead of an unreadable run.
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString
                         | System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
    private static readonly JsonSerializerOptions Indented = new(Json) { WriteIndented = true };

    public string Location => objects.Location;

    public async Task<string> SaveCorpusAsync(CorpusManifest manifest, StemTable stems, IEnumerable<CorpusDocument> documents, CancellationToken ct)
    {
        var prefix = $"corpus/{manifest.CorpusId}/";
        // The file holds each token's stem, not its number: numbers belong to one table in memory.
        await WriteLinesAsync(prefix + "documents.jsonl", documents.ToAsyncEnumerable(), ct,
            new JsonSerializerOptions(Json) { Converters = { new StemNumbers(stems) } });
        await WriteJsonAsync(prefix + "manifest.json", manifest, ct);
        await WriteJsonAsync(LatestCorpusKey, new LatestCorpus(manifest.CorpusId), ct);
        await PruneOldCorporaAsync(manifest.CorpusId, ct);
        return manifest.CorpusId;
    }

    public async Task<Corpus?> LoadLatestCorpusAsync(CorpusSample? sample, CancellationToken ct)
    {
        if (await LoadLatestCorpusManifestAsync(ct) is not { } manifest) return null;
        var key = $"corpus/{manifest.CorpusId}/documents.jsonl";
        // The abstracts stay in the file (about 3.3 GB as strings at a million documents): the documents are read without
        // them, and a run reads them again, alone, to publish them. Each stem becomes its number (StemTable): read from
        // JSON, every token would be a string of its own (the panel's phase 6 on a million documents passed 10.6 GB so
        // before it was stopped).
        // A sample's lines are the only ones parsed (phase 5 on the synthetic million: 1,500 of 859,612).
        var stems = new StemTable();
        var options = new JsonSerializerOptions(Json) { Converters = { new StemNumbers(stems) } };
        var positions = sample?.Positions(manifest.DocumentsKept);
        var documents = await ReadLinesAsync<StoredDocument>(key, ct, options, positions)
            .Select(d => new CorpusDocument(d.Id, d.Title, d.Journal, d.PublishTime, d.Authors, d.Doi, "", d.Tokens))
            .ToListAsync(ct);
        if (positions is not null && documents.Count != positions.Length)
            throw new ResultFileException(key, $"holds fewer documents than its manifest's {manifest.DocumentsKept:N0}; run pre-processing (phase 4) again.");
        return new Corpus(manifest, stems, documents, token => ReadLinesAsync<StoredAbstract>(key, token, only: positions).Select(d => d.Abstract));
    }

    /// <summary>A line of a corpus's documents.jsonl read without its abstract (the reader skips it unread).</summary>
    private sealed record StoredDocument(string Id, string? Title, string? Journal, string? PublishTime, string? Authors, string? Doi, int[] Tokens);

    /// <summary>A line of a corpus's documents.jsonl read for its abstract alone.</summary>
    private sealed record StoredAbstract(string Abstract);

    public async Task<CorpusManifest?> LoadLatestCorpusManifestAsync(CancellationToken ct)
    {
        var latest = await ReadJsonOrNullAsync<LatestCorpus>(LatestCorpusKey, ct);
        if (latest is null) return null;
        var prefix = $"corpus/{latest.CorpusId}/";
        return await ReadJsonOrNullAsync<CorpusManifest>(prefix + "manifest.json", ct)
            ?? throw new ResultFileException(prefix + "manifest.json", "missing; run pre-processing (phase 4) again.");
    }

    public async Task PublishRunAsync(RunResult run, CancellationToken ct)
    {
        var prefix = $"runs/{run.Manifest.RunId}/";
        await WriteJsonAsync(prefix + "clusters.json", run.Clusters, ct);
        await WriteJsonAsync(prefix + "topics.json", run.Topics, ct);
        await WriteLinesWithOffsetsAsync(prefix + DocumentsFile, prefix + DocumentOffsetsFile, run.Documents.ToAsyncEnumerable(), ct);
        await objects.WriteAsync(prefix + TitlesFile, stream => WriteTitlesAsync(stream, run.Documents, ct), ct);
        if (run.TopicTerms is not null) await WriteJsonAsync(prefix + TopicTermsFile, run.TopicTerms, ct, indented: false);
        if (run.TopicDocuments is not null) await WriteJsonAsync(prefix + TopicDocumentsFile, run.TopicDocuments, ct, indented: false);
        if (run.Abstracts is not null) await WriteLinesWithOffsetsAsync(prefix + AbstractsFile, prefix + AbstractOffsetsFile, run.Abstracts, ct);
        await WriteJsonAsync(prefix + "manifest.json", run.Manifest, ct);
    }

    public Task SaveTopicDocumentsAsync(string runId, PublishedTopicDocuments file, CancellationToken ct) =>
        WriteJsonAsync(RunPrefix(runId) + TopicDocumentsFile, file, ct, indented: false);

    public async Task<RunListing> ListRunsAsync(CancellationToken ct)
    {
        var runs = new List<RunManifest>();
        var problems = new List<string>();
        await foreach (var key in objects.ListAsync("runs/", ct))
        {
            if (!key.EndsWith("/manifest.json", StringComparison.Ordinal)) continue;
            try
            {
                runs.Add(await ReadJsonOrNullAsync<RunManifest>(key, ct) ?? throw new ResultFileException(key, "vanished while listing."));
            }
            catch (ResultFileException ex)
            {
                problems.Add(ex.Message);
            }
        }
        return new RunListing(runs.OrderByDescending(r => r.CreatedAt).ToList(), problems);
    }

    public async Task<RunResult> LoadRunAsync(string runId, CancellationToken ct)
    {
        var summary = await LoadSummaryAsync(runId, ct);
        var options = SharedStrings.For<DocumentResult>(Json, nameof(DocumentResult.Journal), nameof(DocumentResult.PublishTime));
        var documents = await ReadLinesAsync<DocumentResult>(RunPrefix(runId) + DocumentsFile, ct, options, onAllCores: true).ToListAsync(ct);
        return summary with { Documents = documents };
    }

    public async Task<IReadOnlyList<DocumentPoint>> LoadPointsAsync(string runId, int[]? positions, CancellationToken ct) =>
        await ReadShownAsync<DocumentPoint>(runId, positions, ct);

    public async Task<IReadOnlyList<string?>> LoadTitlesAsync(RunManifest run, CancellationToken ct)
    {
        var key = RunPrefix(run.RunId) + TitlesFile;
        await using var stream = await objects.OpenReadAsync(key, ct);
        // A run made before titles.txt: the titles of its documents' lines (the whole documents.jsonl read).
        if (stream is null) return (await ReadShownAsync<StoredTitle>(run.RunId, null, ct)).ConvertAll(t => t.Title);
        var titles = new List<string?>(run.Documents);
        using (var reader = new StreamReader(stream, Encoding.UTF8))
            while (await reader.ReadLineAsync(ct) is { } line)
                titles.Add(line.Length == 0 ? null : line);
        return titles.Count == run.Documents
            ? titles
            : throw new ResultFileException(key,
                $"holds {titles.Count:N0} titles for the run's {run.Documents:N0} documents; delete it (the titles are then read from {DocumentsFile}) or run the phase again.");
    }

    /// <summary>
    /// titles.txt: each document's title on a line of its own, in documents.jsonl's order (its line breaks as spaces, an
    /// empty line for none). The map's search reads every title of a run; from documents.jsonl that is a parse of every
    /// line, and on S3 a download of the whole file (several times the titles' size).
    /// </summary>
    private static async Task WriteTitlesAsync(Stream stream, IReadOnlyList<DocumentResult> documents, CancellationToken ct)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
        foreach (var document in documents)
        {
            await writer.WriteAsync((document.Title ?? "").ReplaceLineEndings(" ").AsMemory(), ct);
            await writer.WriteAsync('\n');
        }
    }

    /// <summary>A line of a run's documents.jsonl read for its title alone (the reader skips the rest unread).</summary>
    private sealed record StoredTitle(string? Title);

    /// <summary>The map's documents' lines as <typeparamref name="T"/>, whose fields are the only ones read.</summary>
    private async Task<List<T>> ReadShownAsync<T>(string runId, int[]? positions, CancellationToken ct)
    {
        var key = RunPrefix(runId) + DocumentsFile;
        var lines = await ReadLinesAsync<T>(key, ct, only: positions, onAllCores: true).ToListAsync(ct);
        return positions is not null && lines.Count < positions.Length
            ? throw new ResultFileException(key, $"holds fewer documents than the {positions[^1] + 1:N0} its map needs; run the phase again.")
            : lines;
    }

    public async Task<RunResult> LoadSummaryAsync(string runId, CancellationToken ct)
    {
        var prefix = RunPrefix(runId);
        var manifest = await ReadJsonOrNullAsync<RunManifest>(prefix + "manifest.json", ct)
            ?? throw new ResultFileException(prefix + "manifest.json", "missing: the run does not exist or did not finish.");
        if (manifest.SchemaVersion > ResultSchema.Version)
            throw new ResultFileException(prefix + "manifest.json",
                $"written with result schema {manifest.SchemaVersion}, newer than this app's {ResultSchema.Version}; update the app.");
        var clusters = await ReadJsonOrNullAsync<List<ClusterResult>>(prefix + "clusters.json", ct)
            ?? throw new ResultFileException(prefix + "clusters.json", "missing.");
        var topics = await ReadJsonOrNullAsync<List<TopicResult>>(prefix + "topics.json", ct)
            ?? throw new ResultFileException(prefix + "topics.json", "missing.");
        return new RunResult(manifest, clusters, topics, []);
    }

    public async Task<TopicTermMatrix> LoadTopicTermsAsync(string runId, CancellationToken ct)
    {
        var key = $"{RunPrefix(runId)}{TopicTermsFile}";
        var matrix = await ReadJsonOrNullAsync<TopicTermMatrix>(key, ct)
            ?? throw new ResultFileException(key, "missing: this run was made before topic distributions were saved; run phase 5 or 6 again.");
        if (matrix.Terms.Count != matrix.TermProbability.Count || matrix.Topics.Any(t => t.Probabilities.Count != matrix.Terms.Count))
            throw new ResultFileException(key, $"has distributions whose length differs from its {matrix.Terms.Count} terms.");
        return matrix;
    }

    public async Task<PublishedTopicDocuments?> LoadTopicDocumentsAsync(string runId, CancellationToken ct)
    {
        var key = RunPrefix(runId) + TopicDocumentsFile;
        var file = await ReadJsonOrNullAsync<PublishedTopicDocuments>(key, ct);
        return file is not null && ProblemOf(file) is { } problem ? throw new ResultFileException(key, problem) : file;
    }

    // What the Topics page would trip over, in a file written by hand or cut short.
    private static string? ProblemOf(PublishedTopicDocuments file)
    {
        if (file.Months is null || file.Topics is null || file.Months.Any(m => m is null) || file.Topics.Any(t => t?.WeightPerMonth is null || t.Top is null))
            return "lacks its months, or a topic its weights or documents; run the phase again.";
        if (file.Topics.GroupBy(t => t.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            return $"lists topic {twice.Key} {twice.Count()} times; run the phase again.";
        if (file.Topics.FirstOrDefault(t => t.WeightPerMonth.Count != file.Months.Count) is { } uneven)
            return $"gives topic {uneven.Id} {uneven.WeightPerMonth.Count} monthly weights for {file.Months.Count} months; run the phase again.";
        if (file.Topics.FirstOrDefault(t => t.Top.Any(d => d?.TopicWeights is null || !d.TopicWeights.ContainsKey(t.Id))) is { } unweighted)
            return $"lists a top document of topic {unweighted.Id} without its weight for that topic; run the phase again.";
        return null;
    }

    public async Task<DocumentResult?> LoadDocumentAsync(string runId, int position, CancellationToken ct) =>
        position < 0 ? null : await ReadLineAsync<DocumentResult>(RunPrefix(runId), DocumentsFile, DocumentOffsetsFile, position, ct);

    public async Task<string?> LoadAbstractAsync(string runId, int position, string documentId, CancellationToken ct)
    {
        // A million real abstracts are 1.7 GB of file and held 3.4 GB as a dictionary: one line is read instead.
        var prefix = RunPrefix(runId);
        if (position >= 0 && await ReadLineAsync<DocumentAbstract>(prefix, AbstractsFile, AbstractOffsetsFile, position, ct) is { } atPosition
            && atPosition.Id == documentId)
            return atPosition.Abstract;
        // A file not in the documents' order (written by hand, or by another tool) is searched line by line instead.
        return (await ReadLinesAsync<DocumentAbstract>(prefix + AbstractsFile, ct).FirstOrDefaultAsync(a => a.Id == documentId, ct))?.Abstract;
    }

    /// <summary>
    /// Line <paramref name="position"/> of a run's <paramref name="file"/>: read from the block that the run's published
    /// offsets lead to (a range read; an S3 store would otherwise download the whole file), or found by scanning the
    /// file for line breaks up to it, in a run made before the offsets were published or when they do not lead to a line.
    /// </summary>
    private async Task<T?> ReadLineAsync<T>(string prefix, string file, string offsetsFile, int position, CancellationToken ct) where T : class
    {
        var key = prefix + file;
        try
        {
            if (await LineOffsetsAsync(prefix + offsetsFile, ct) is { Every: > 0, Offsets: { } offsets } published
                && position / published.Every < offsets.Count)
            {
                var block = position / published.Every;
                long? length = block + 1 < offsets.Count ? offsets[block + 1] - offsets[block] : null;
                await using var stream = await objects.OpenReadAsync(key, offsets[block], length, ct) ?? throw new ResultFileException(key, "missing.");
                if (await JsonLines.ReadAsync<T>(stream, key, Json, ct, [position % published.Every], linesBefore: block * published.Every)
                        .FirstOrDefaultAsync(ct) is { } line)
                    return line;
            }
        }
        catch (ResultFileException)
        {
            // Offsets that cannot be read or lead into the middle of a line, or a missing file: the scan below finds the
            // line, or names the file's own problem. The offsets only save time.
        }
        return await ReadLinesAsync<T>(key, ct, only: [position]).FirstOrDefaultAsync(ct);
    }

    /// <summary>A run's offsets file, or null for a run made before they were published; an unreadable one is not remembered.</summary>
    private async Task<LineOffsets?> LineOffsetsAsync(string key, CancellationToken ct)
    {
        if (_lineOffsets.TryGetValue(key, out var remembered)) return remembered;
        var read = await ReadJsonOrNullAsync<LineOffsets>(key, ct);
        if (_lineOffsets.Count >= LineOffsetsRemembered) _lineOffsets.Clear();
        _lineOffsets[key] = read;
        return read;
    }

    /// <summary>Lines between two published offsets (about 1.7 MB of real abstracts, 0.25 MB of documents).</summary>
    internal int LineOffsetsEvery { get; init; } = 1_024;

    public async Task DeleteAllAsync(CancellationToken ct)
    {
        await objects.DeletePrefixAsync("", ct);
        _lineOffsets.Clear();
    }

    public async Task<int> CopyRunsFromAsync(IObjectStore source, CancellationToken ct)
    {
        var here = await objects.ListAsync("runs/", ct).ToHashSetAsync(StringComparer.Ordinal, ct);
        var missing = await source.ListAsync("runs/", ct).Where(k => !here.Contains(k)).ToListAsync(ct);
        // Manifests last, as when a run is published: a reader never finds a manifest before the files it names.
        var copied = 0;
        foreach (var key in missing.OrderBy(k => k.EndsWith("/manifest.json", StringComparison.Ordinal)).ThenBy(k => k, StringComparer.Ordinal))
        {
            await using var input = await source.OpenReadAsync(key, ct);
            if (input is null) continue;
            await objects.WriteAsync(key, output => input.CopyToAsync(output, ct), ct);
            copied++;
        }
        return copied;
    }

    private static string RunPrefix(string runId) =>
        runId.Length == 0 || runId.Contains('/') || runId.Contains('\\') || runId.Contains("..")
            ? throw new ResultFileException(runId, "is not a run id.")
            : $"runs/{runId}/";

    private async Task PruneOldCorporaAsync(string keep, CancellationToken ct)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in objects.ListAsync("corpus/", ct))
        {
            var parts = key.Split('/');
            if (parts.Length == 3 && parts[2] == "manifest.json") ids.Add(parts[1]);
        }
        // Corpus ids sort by time; the newest ones stay so a failed re-run never leaves the user with nothing.
        foreach (var old in ids.Where(i => i != keep).Order(StringComparer.Ordinal).SkipLast(CorporaKept - 1))
            await objects.DeletePrefixAsync($"corpus/{old}/", ct);
    }

    private Task WriteJsonAsync<T>(string key, T value, CancellationToken ct, bool indented = true) =>
        objects.WriteAsync(key, stream => JsonSerializer.SerializeAsync(stream, value, indented ? Indented : Json, ct), ct);

    /// <summary>Writes the lines, then the offsets of every <see cref="LineOffsetsEvery"/>th one (see <see cref="ReadLineAsync{T}"/>).</summary>
    private async Task WriteLinesWithOffsetsAsync<T>(string key, string offsetsKey, IAsyncEnumerable<T> items, CancellationToken ct)
    {
        var offsets = new List<long>();
        await WriteLinesAsync(key, items, ct, lineOffsets: offsets);
        await WriteJsonAsync(offsetsKey, new LineOffsets(LineOffsetsEvery, offsets), ct, indented: false);
        _lineOffsets.TryRemove(offsetsKey, out _);
    }

    /// <param name="lineOffsets">When given, receives the offset of every <see cref="LineOffsetsEvery"/>th line.</param>
    private Task WriteLinesAsync<T>(string key, IAsyncEnumerable<T> items, CancellationToken ct, JsonSerializerOptions? options = null, List<long>? lineOffsets = null) =>
        objects.WriteAsync(key, stream => JsonLines.WriteAsync(stream, items, options ?? Json, ct, lineOffsets, LineOffsetsEvery), ct);

    private async Task<T?> ReadJsonOrNullAsync<T>(string key, CancellationToken ct) where T : class
    {
        await using var stream = await objects.OpenReadAsync(key, ct);
        if (stream is null) return null;
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, Json, ct)
                ?? throw new ResultFileException(key, "holds null instead of a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new ResultFileException(key, $"is not valid JSON for the result schema ({ex.Message}).", ex);
        }
    }

    /// <param name="only">The positions of the lines wanted (see <see cref="JsonLines.ReadAsync"/>); null for all.</param>
    private async IAsyncEnumerable<T> ReadLinesAsync<T>(string key, [EnumeratorCancellation] CancellationToken ct,
        JsonSerializerOptions? options = null, int[]? only = null, bool onAllCores = false)
    {
        await using var stream = await objects.OpenReadAsync(key, ct)
            ?? throw new ResultFileException(key, "missing.");
        await foreach (var item in JsonLines.ReadAsync<T>(stream, key, options ?? Json, ct, only, onAllCores))
            yield return item;
    }

    private sealed record LatestCorpus(string CorpusId);
}
