using Cord19.Core.Results;
using Cord19.Tests.Support;

namespace Cord19.Tests.Results;

public sealed class ResultStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private ResultStore Store => new(new LocalFolderObjectStore(_dir.Path));

    [Fact]
    public async Task A_published_run_reads_back_whole()
    {
        var run = FakeResultStore.Run("subset-1", DateTime.UtcNow, ["vaccine", "dose"], ["school"]) with
        {
            Documents = [new DocumentResult("abc", "T", "J", "2020", "A", "10.1/x", 1, 0.5f, -1.25f, new Dictionary<int, float> { [1] = 0.9f })],
        };
        await Store.PublishRunAsync(run, default);

        var back = await Store.LoadRunAsync("subset-1", default);

        Assert.Equal(run.Manifest.RunId, back.Manifest.RunId);
        Assert.Equal(run.Clusters.Select(c => c.TopTerms[0].Term), back.Clusters.Select(c => c.TopTerms[0].Term));
        Assert.Equal(0.9f, Assert.Single(back.Documents).TopicWeights[1]);
    }

    [Fact]
    public async Task A_run_without_its_manifest_is_not_listed()
    {
        var run = FakeResultStore.Run("half", DateTime.UtcNow, ["x"]);
        await Store.PublishRunAsync(run, default);
        File.Delete(Path.Combine(_dir.Path, "runs", "half", "manifest.json"));

        Assert.Empty((await Store.ListRunsAsync(default)).Runs);
        var error = await Assert.ThrowsAsync<ResultFileException>(() => Store.LoadRunAsync("half", default));
        Assert.Equal("runs/half/manifest.json", error.File);
    }

    [Fact]
    public async Task Corrupt_files_are_named_with_the_problem_and_do_not_hide_other_runs()
    {
        await Store.PublishRunAsync(FakeResultStore.Run("good", DateTime.UtcNow, ["x"]), default);
        await Store.PublishRunAsync(FakeResultStore.Run("bad", DateTime.UtcNow, ["y"]), default);
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "runs", "bad", "manifest.json"), "{ not json");
        await Store.PublishRunAsync(FakeResultStore.Run("lines", DateTime.UtcNow, ["z"]), default);
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "runs", "lines", "documents.jsonl"), "{}\n{broken\n");

        var listing = await Store.ListRunsAsync(default);
        var error = await Assert.ThrowsAsync<ResultFileException>(() => Store.LoadRunAsync("lines", default));

        Assert.Equal(["good", "lines"], listing.Runs.Select(r => r.RunId).Order());
        Assert.Contains(listing.Problems, p => p.Contains("runs/bad/manifest.json") && p.Contains("not valid JSON"));
        Assert.Equal("runs/lines/documents.jsonl", error.File);
        Assert.Contains("line 2", error.Problem);
    }

    [Fact]
    public async Task Run_ids_cannot_reach_outside_the_store()
    {
        await Assert.ThrowsAsync<ResultFileException>(() => Store.LoadRunAsync("../../etc", default));
    }

    [Fact]
    public async Task A_new_corpus_replaces_the_latest_and_the_previous_one_is_kept()
    {
        var manifest = new CorpusManifest(1, "20260101-000000-aaaaaa", DateTime.UtcNow, "t", 1, 1, new Dictionary<string, long>(), new Dictionary<string, object?>(), new Dictionary<string, string>());
        CorpusDocument Doc(string id) => new(id, null, null, null, null, null, "abstract", ["tok"]);

        await Store.SaveCorpusAsync(manifest, [Doc("1")], default);
        await Store.SaveCorpusAsync(manifest with { CorpusId = "20260102-000000-bbbbbb" }, [Doc("2")], default);
        await Store.SaveCorpusAsync(manifest with { CorpusId = "20260103-000000-cccccc" }, [Doc("3")], default);

        Assert.Equal("3", Assert.Single((await Store.LoadLatestCorpusAsync(default))!.Documents).Id);
        Assert.Equal(["20260102-000000-bbbbbb", "20260103-000000-cccccc"], Directory.GetDirectories(Path.Combine(_dir.Path, "corpus")).Select(Path.GetFileName).Order());
    }

    public void Dispose() => _dir.Dispose();
}
