using System.Text;
using System.Text.Json;
using Cord19.Core.Results;
using Cord19.Tests.Support;

namespace Cord19.Tests.Results;

/// <summary>The result store's contract, on the local folder and on a real S3-compatible server (s3rver).</summary>
public sealed class ResultStoreTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    public static TheoryData<string> Backends => ["local", "s3"];

    private readonly TempDirectory _dir = new();

    private IObjectStore Objects(string backend) => backend == "local"
        ? new LocalFolderObjectStore(_dir.Path)
        : s3.Server.OpenStore($"test-{Guid.NewGuid():N}");

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_published_run_reads_back_whole(string backend)
    {
        var store = new ResultStore(Objects(backend));
        var run = SyntheticRun.Create("subset-1", 50) with
        {
            Documents = [new DocumentResult("abc", "T", "J", "2020", "A", "10.1/x", 1, 0.5f, -1.25f, new Dictionary<int, float> { [1] = 0.9f })],
        };
        await store.PublishRunAsync(run, default);

        var back = await store.LoadRunAsync("subset-1", default);

        Assert.Equal(run.Manifest.RunId, back.Manifest.RunId);
        Assert.Equal(run.Clusters.Select(c => c.TopTerms[0].Term), back.Clusters.Select(c => c.TopTerms[0].Term));
        Assert.Equal(0.9f, Assert.Single(back.Documents).TopicWeights[1]);
        Assert.Equal(run.TopicTerms!.Terms, (await store.LoadTopicTermsAsync("subset-1", default)).Terms);
        Assert.Equal("T", (await store.LoadDocumentAsync("subset-1", 0, default))?.Title);
        Assert.Null(await store.LoadDocumentAsync("subset-1", 1, default));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task An_opened_documents_abstract_is_read_alone_and_found_even_out_of_order(string backend)
    {
        var objects = Objects(backend);
        var store = new ResultStore(objects);
        var run = SyntheticRun.Create("r", 40);
        await store.PublishRunAsync(run, default);
        var documents = run.Documents;

        Assert.Equal($"Synthetic abstract of {documents[7].Title}.", await store.LoadAbstractAsync("r", 7, documents[7].Id, default));
        Assert.Null(await store.LoadAbstractAsync("r", 7, "no-such-document", default));
        Assert.Null(await store.LoadAbstractAsync("r", 400, "no-such-document", default));

        // Another tool's file, in another order: the document's abstract is searched for by its id.
        await objects.WriteAsync("runs/r/abstracts.jsonl", stream => stream.WriteAsync(Encoding.UTF8.GetBytes(
            "{\"id\":\"other\",\"abstract\":\"Not this one.\"}\n" + $"{{\"id\":\"{documents[0].Id}\",\"abstract\":\"First, written second.\"}}\n")).AsTask(), default);
        Assert.Equal("First, written second.", await store.LoadAbstractAsync("r", 0, documents[0].Id, default));

        await objects.DeletePrefixAsync("runs/r/abstracts.jsonl", default);
        var error = await Assert.ThrowsAsync<ResultFileException>(() => store.LoadAbstractAsync("r", 0, documents[0].Id, default));
        Assert.Equal("runs/r/abstracts.jsonl", error.File);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_document_and_its_abstract_are_read_from_their_blocks_of_the_files_not_from_the_start(string backend)
    {
        var objects = new RangeLog(Objects(backend));
        var store = new ResultStore(objects) { LineOffsetsEvery = 8 };
        var run = SyntheticRun.Create("r", 40);
        await store.PublishRunAsync(run, default);
        var offsets = JsonSerializer.Deserialize<LineOffsets>(await ReadAllAsync(objects, "runs/r/abstract-offsets.json"), ResultStore.Json)!;
        Assert.Equal(5, offsets.Offsets.Count);

        var documentOffsets = JsonSerializer.Deserialize<LineOffsets>(await ReadAllAsync(objects, "runs/r/document-offsets.json"), ResultStore.Json)!;

        objects.WholeReads.Clear();
        foreach (var position in new[] { 0, 7, 8, 30, 39 })
        {
            objects.Ranges.Clear();
            Assert.Equal(run.Documents[position].Title, (await store.LoadDocumentAsync("r", position, default))?.Title);
            Assert.Equal($"Synthetic abstract of {run.Documents[position].Title}.", await store.LoadAbstractAsync("r", position, run.Documents[position].Id, default));
            Assert.Equal([("runs/r/documents.jsonl", documentOffsets.Offsets[position / 8]), ("runs/r/abstracts.jsonl", offsets.Offsets[position / 8])], objects.Ranges);
        }
        // Each offsets file was read once, not before every line (on S3, a request of its own).
        Assert.Equal(["runs/r/document-offsets.json", "runs/r/abstract-offsets.json"], objects.WholeReads);

        // Offsets that lead into the middle of a line (a damaged file) still find the abstract, by scanning. A store
        // reads a run's offsets once, so each damaged file is read by a new one.
        await objects.WriteAsync("runs/r/abstract-offsets.json", stream => JsonSerializer.SerializeAsync(stream,
            new LineOffsets(8, offsets.Offsets.Select(o => o + 5).ToList()), ResultStore.Json), default);
        Assert.Equal($"Synthetic abstract of {run.Documents[30].Title}.", await new ResultStore(objects).LoadAbstractAsync("r", 30, run.Documents[30].Id, default));
        // So do offsets that are not JSON at all, and a run made before the offsets were published.
        await objects.WriteAsync("runs/r/abstract-offsets.json", stream => stream.WriteAsync("{not json"u8.ToArray()).AsTask(), default);
        Assert.Equal($"Synthetic abstract of {run.Documents[30].Title}.", await new ResultStore(objects).LoadAbstractAsync("r", 30, run.Documents[30].Id, default));
        await objects.DeletePrefixAsync("runs/r/abstract-offsets.json", default);
        Assert.Equal($"Synthetic abstract of {run.Documents[30].Title}.", await new ResultStore(objects).LoadAbstractAsync("r", 30, run.Documents[30].Id, default));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task The_titles_are_read_from_their_own_file_without_the_documents_and_from_the_documents_in_an_older_run(string backend)
    {
        var objects = new RangeLog(Objects(backend));
        var store = new ResultStore(objects);
        var run = SyntheticRun.Create("r", 300);
        run = run with
        {
            Documents = [.. run.Documents.Select((d, i) => i switch { 0 => d with { Title = null }, 1 => d with { Title = "Two\r\nlines" }, _ => d })],
        };
        await store.PublishRunAsync(run, default);
        var expected = run.Documents.Select(d => d.Title?.Replace("\r\n", " ")).ToList();

        var titles = await store.LoadTitlesAsync(run.Manifest, default);

        Assert.Equal(expected, titles);
        // The caller's manifest gives the count to check: titles.txt is all that is read.
        Assert.Equal(["runs/r/titles.txt"], objects.WholeReads);
        Assert.Empty(objects.Ranges);

        // A run published before titles.txt: the titles of documents.jsonl's lines.
        await objects.DeletePrefixAsync("runs/r/titles.txt", default);
        Assert.Equal(run.Documents.Select(d => d.Title), await store.LoadTitlesAsync(run.Manifest, default));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_titles_file_that_disagrees_with_the_run_is_named_with_the_fix(string backend)
    {
        var objects = Objects(backend);
        var store = new ResultStore(objects);
        var run = SyntheticRun.Create("r", 300);
        await store.PublishRunAsync(run, default);
        await objects.WriteAsync("runs/r/titles.txt", s => s.WriteAsync("one\ntwo\n"u8.ToArray()).AsTask(), default);

        var error = await Assert.ThrowsAsync<ResultFileException>(() => store.LoadTitlesAsync(run.Manifest, default));

        Assert.Equal("runs/r/titles.txt", error.File);
        Assert.Equal("holds 2 titles for the run's 300 documents; delete it (the titles are then read from documents.jsonl) or run the phase again.", error.Problem);
    }

    private static async Task<string> ReadAllAsync(IObjectStore objects, string key)
    {
        await using var stream = (await objects.OpenReadAsync(key, default))!;
        return await new StreamReader(stream).ReadToEndAsync();
    }

    /// <summary>Notes where each read of a part of an object started, and which objects were read whole.</summary>
    private sealed class RangeLog(IObjectStore inner) : IObjectStore
    {
        public List<(string Key, long Offset)> Ranges { get; } = [];
        public List<string> WholeReads { get; } = [];
        public string Location => inner.Location;
        public Task WriteAsync(string key, Func<Stream, Task> write, CancellationToken ct) => inner.WriteAsync(key, write, ct);
        public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken ct) => inner.ListAsync(prefix, ct);
        public Task DeletePrefixAsync(string prefix, CancellationToken ct) => inner.DeletePrefixAsync(prefix, ct);

        // A whole read is a read from 0 to the end (IObjectStore's own overload).
        public Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken ct)
        {
            if (offset == 0 && length is null) WholeReads.Add(key);
            else Ranges.Add((key, offset));
            return inner.OpenReadAsync(key, offset, length, ct);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_run_without_its_manifest_is_not_listed(string backend)
    {
        var objects = Objects(backend);
        var store = new ResultStore(objects);
        await store.PublishRunAsync(FakeResultStore.Run("half", DateTime.UtcNow, ["x"]), default);
        await objects.DeletePrefixAsync("runs/half/manifest.json", default);

        Assert.Empty((await store.ListRunsAsync(default)).Runs);
        var error = await Assert.ThrowsAsync<ResultFileException>(() => store.LoadRunAsync("half", default));
        Assert.Equal("runs/half/manifest.json", error.File);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Corrupt_files_are_named_with_the_problem_and_do_not_hide_other_runs(string backend)
    {
        var objects = Objects(backend);
        var store = new ResultStore(objects);
        await store.PublishRunAsync(FakeResultStore.Run("good", DateTime.UtcNow, ["x"]), default);
        await store.PublishRunAsync(FakeResultStore.Run("bad", DateTime.UtcNow, ["y"]), default);
        await WriteAsync(objects, "runs/bad/manifest.json", "{ not json");
        await store.PublishRunAsync(FakeResultStore.Run("lines", DateTime.UtcNow, ["z"]), default);
        await WriteAsync(objects, "runs/lines/documents.jsonl", "{}\n{broken\n");

        var listing = await store.ListRunsAsync(default);
        var error = await Assert.ThrowsAsync<ResultFileException>(() => store.LoadRunAsync("lines", default));

        Assert.Equal(["good", "lines"], listing.Runs.Select(r => r.RunId).Order());
        Assert.Contains(listing.Problems, p => p.Contains("runs/bad/manifest.json") && p.Contains("not valid JSON"));
        Assert.Equal("runs/lines/documents.jsonl", error.File);
        Assert.Contains("line 2", error.Problem);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Run_ids_cannot_reach_outside_the_store(string backend) =>
        await Assert.ThrowsAsync<ResultFileException>(() => new ResultStore(Objects(backend)).LoadRunAsync("../../etc", default));

    // Each rule on its own: "../../etc" above breaks three of them at once.
    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    public async Task A_run_id_that_is_not_one_folder_name_is_refused(string runId)
    {
        var error = await Assert.ThrowsAsync<ResultFileException>(() => new ResultStore(Objects("local")).LoadSummaryAsync(runId, default));
        Assert.Equal("is not a run id.", error.Problem);
    }

    // The folder store's own guard, beneath the run ids': a key reaching out of its folder, or rooted elsewhere.
    [Theory]
    [InlineData("../outside.json")]
    [InlineData("runs/../../outside.json")]
    [InlineData("/etc/passwd")]
    public async Task The_folder_store_refuses_keys_outside_its_folder(string key)
    {
        var objects = new LocalFolderObjectStore(_dir.Path);
        await Assert.ThrowsAsync<ArgumentException>(() => objects.OpenReadAsync(key, 0, null, default));
        await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync(objects, key, "x"));
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_and_one_a_newer_app_wrote_is_refused_with_the_fix()
    {
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));
        var t0 = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        await store.PublishRunAsync(FakeResultStore.Run("middle", t0.AddHours(1), ["x"]), default);
        await store.PublishRunAsync(FakeResultStore.Run("newest", t0.AddHours(2), ["x"]), default);
        await store.PublishRunAsync(FakeResultStore.Run("oldest", t0, ["x"]), default);
        var next = FakeResultStore.Run("next", t0.AddHours(-1), ["x"]);
        await store.PublishRunAsync(next with { Manifest = next.Manifest with { SchemaVersion = ResultSchema.Version + 1 } }, default);

        Assert.Equal(["newest", "middle", "oldest", "next"], (await store.ListRunsAsync(default)).Runs.Select(r => r.RunId));
        var error = await Assert.ThrowsAsync<ResultFileException>(() => store.LoadSummaryAsync("next", default));
        Assert.Equal($"written with result schema {ResultSchema.Version + 1}, newer than this app's {ResultSchema.Version}; update the app.", error.Problem);
        Assert.Equal("oldest", (await store.LoadSummaryAsync("oldest", default)).Manifest.RunId);
    }

    [Fact]
    public async Task Topic_distributions_of_another_length_than_their_terms_are_named_not_read()
    {
        var objects = new LocalFolderObjectStore(_dir.Path);
        var store = new ResultStore(objects);
        await store.PublishRunAsync(SyntheticRun.Create("r", 20), default);
        var terms = await store.LoadTopicTermsAsync("r", default);

        foreach (var broken in new[]
        {
            terms with { TermProbability = terms.TermProbability.Skip(1).ToList() },
            terms with { Topics = [terms.Topics[0], terms.Topics[1] with { Probabilities = terms.Topics[1].Probabilities.Skip(1).ToList() }] },
        })
        {
            await WriteAsync(objects, "runs/r/topic-terms.json", JsonSerializer.Serialize(broken, ResultStore.Json));
            var error = await Assert.ThrowsAsync<ResultFileException>(() => store.LoadTopicTermsAsync("r", default));
            Assert.Equal($"has distributions whose length differs from its {terms.Terms.Count} terms.", error.Problem);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_new_corpus_replaces_the_latest_and_the_previous_one_is_kept(string backend)
    {
        var objects = Objects(backend);
        var store = new ResultStore(objects);
        var manifest = new CorpusManifest(1, "20260101-000000-aaaaaa", DateTime.UtcNow, "t", 1, 1, new Dictionary<string, long>(), new Dictionary<string, object?>(), new Dictionary<string, string>());
        var (stems, tokens) = Stemmed.Of([["tok"]]);
        CorpusDocument Doc(string id) => new(id, null, null, null, null, null, "abstract", tokens[0]);

        await store.SaveCorpusAsync(manifest, stems, [Doc("1")], default);
        await store.SaveCorpusAsync(manifest with { CorpusId = "20260102-000000-bbbbbb" }, stems, [Doc("2")], default);
        await store.SaveCorpusAsync(manifest with { CorpusId = "20260103-000000-cccccc" }, stems, [Doc("3")], default);

        Assert.Equal("3", Assert.Single((await store.LoadLatestCorpusAsync(null, default))!.Documents).Id);
        var corpora = (await objects.ListAsync("corpus/", default).ToListAsync()).Where(k => k.EndsWith("/manifest.json")).Select(k => k.Split('/')[1]);
        Assert.Equal(["20260102-000000-bbbbbb", "20260103-000000-cccccc"], corpora.Order());
    }

    [Fact]
    public async Task A_corpus_file_holds_stems_and_a_loaded_corpus_numbers_each_stem_once_with_its_abstracts_left_in_the_file()
    {
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));
        var manifest = new CorpusManifest(1, "20260101-000000-aaaaaa", DateTime.UtcNow, "t", 2, 2, new Dictionary<string, long>(), new Dictionary<string, object?>(), new Dictionary<string, string>());
        var (stems, tokens) = Stemmed.Of([["viru", "vaccin"], ["vaccin", "viru"]]);
        await store.SaveCorpusAsync(manifest, stems, [new("1", null, null, null, null, null, "first", tokens[0]), new("2", null, null, null, null, null, "second", tokens[1])], default);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_dir.Path, "corpus", manifest.CorpusId, "documents.jsonl"));
        Assert.EndsWith("\"abstract\":\"first\",\"tokens\":[\"viru\",\"vaccin\"]}", lines[0]);
        var corpus = (await store.LoadLatestCorpusAsync(null, default))!;

        Assert.Equal(["viru", "vaccin"], corpus.Stems);
        Assert.Equal([[0, 1], [1, 0]], corpus.Documents.Select(d => d.Tokens));
        Assert.All(corpus.Documents, d => Assert.Equal("", d.Abstract));
        Assert.Equal(["first", "second"], await corpus.ReadAbstractsAsync(default).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_sampled_corpus_reads_the_sample_alone_the_same_documents_and_abstracts_as_sampling_the_whole(string backend)
    {
        var store = new ResultStore(Objects(backend));
        var manifest = new CorpusManifest(1, "20260101-000000-bbbbbb", DateTime.UtcNow, "t", 200, 200, new Dictionary<string, long>(), new Dictionary<string, object?>(), new Dictionary<string, string>());
        var (stems, tokens) = Stemmed.Of(Enumerable.Range(0, 200).Select(i => new[] { "viru", $"w{i}" }));
        await store.SaveCorpusAsync(manifest, stems, Enumerable.Range(0, 200).Select(i => new CorpusDocument($"d{i}", $"T{i}", null, null, null, null, $"abstract {i}", tokens[i])), default);
        var sample = new CorpusSample(30, Seed: 5);

        var whole = (await store.LoadLatestCorpusAsync(null, default))!;
        var sampled = (await store.LoadLatestCorpusAsync(sample, default))!;

        var expected = sample.Of(whole.Documents);
        Assert.Equal(expected.Select(d => d.Id), sampled.Documents.Select(d => d.Id));
        Assert.Equal(expected.Select(d => whole.Stems[d.Tokens[1]]), sampled.Documents.Select(d => sampled.Stems[d.Tokens[1]]));
        Assert.Equal(expected.Select(d => "abstract " + d.Id[1..]), await sampled.ReadAbstractsAsync(default).ToListAsync());
        Assert.Same(sampled.Documents, sample.Of(sampled.Documents));

        // A manifest that promises more documents than the file holds is named, not half-read.
        var overPromising = manifest with { CorpusId = "20260101-000000-cccccc", DocumentsKept = 400 };
        await store.SaveCorpusAsync(overPromising, stems, Enumerable.Range(0, 200).Select(i => new CorpusDocument($"d{i}", null, null, null, null, null, "a", [0])), default);
        var error = await Assert.ThrowsAsync<ResultFileException>(() => store.LoadLatestCorpusAsync(sample, default));
        Assert.Contains("run pre-processing (phase 4) again", error.Problem);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Deleting_everything_empties_the_store_and_missing_objects_read_as_null(string backend)
    {
        var objects = Objects(backend);
        var store = new ResultStore(objects);
        await store.PublishRunAsync(FakeResultStore.Run("r", DateTime.UtcNow, ["x"]), default);

        await store.DeleteAllAsync(default);

        Assert.Empty(await objects.ListAsync("", default).ToListAsync());
        Assert.Null(await objects.OpenReadAsync("runs/r/manifest.json", default));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task An_object_larger_than_what_is_buffered_in_memory_writes_and_reads_back_whole(string backend)
    {
        // 80 MB: over the S3 store's 64 MB line, above which bodies go through a temporary file (a corpus of a million is GBs).
        var body = new byte[80 << 20];
        new Random(3).NextBytes(body);
        var objects = Objects(backend);

        await objects.WriteAsync("big.bin", stream => stream.WriteAsync(body).AsTask(), default);
        await using var read = (await objects.OpenReadAsync("big.bin", default))!;
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);

        Assert.True(body.AsSpan().SequenceEqual(copy.GetBuffer().AsSpan(0, (int)copy.Length)));
    }

    private static Task WriteAsync(IObjectStore objects, string key, string text) =>
        objects.WriteAsync(key, stream => stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask(), default);

    public void Dispose() => _dir.Dispose();
}
