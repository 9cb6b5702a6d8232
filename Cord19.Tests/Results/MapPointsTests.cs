using System.Text;
using Cord19.Core.Results;
using Cord19.Tests.Support;
using Cord19.Web.Model;
using Cord19.Web.ServiceClient;

namespace Cord19.Tests.Results;

/// <summary>The document map read alone: a run's points without the rest of its documents.</summary>
public sealed class MapPointsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly RunResult _run = SyntheticRun.Create("r", 2_000);

    private async Task<ResultStore> PublishedAsync()
    {
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));
        await store.PublishRunAsync(_run, default);
        return store;
    }

    [Theory]
    [InlineData(DocumentMapPayload.DefaultLimit)]
    [InlineData(700)]
    public async Task The_points_read_alone_make_the_map_of_the_whole_run(int limit)
    {
        var store = await PublishedAsync();

        var alone = await new RunCache(store).GetMapBinaryAsync("r", limit);

        Assert.Equal(DocumentMapPayload.Build(_run, limit).ToBinary(), alone);
    }

    [Fact]
    public async Task The_map_of_a_run_not_yet_read_does_not_read_its_documents_whole()
    {
        var store = new FakeResultStore();
        store.Runs.Add(_run);

        var payload = await new RunCache(store).GetMapPayloadAsync("r", 700);

        Assert.Equal((2_000, 700), (payload.Total, payload.Shown));
        Assert.Equal(0, store.DocumentReads);
    }

    [Fact]
    public async Task Points_are_the_documents_at_the_positions_asked()
    {
        var store = await PublishedAsync();

        var points = await store.LoadPointsAsync("r", [0, 5, 1_999], default);

        Assert.Equal(new[] { 0, 5, 1_999 }.Select(i => _run.Documents[i]).Select(d => (d.Id, d.Cluster, d.X, d.Y)), points.Select(p => (p.Id, p.Cluster, p.X, p.Y)));
        Assert.Equal(2_000, (await store.LoadPointsAsync("r", null, default)).Count);
    }

    [Fact]
    public async Task A_search_of_the_titles_read_alone_finds_every_document_of_the_run_whose_title_contains_the_text()
    {
        var store = await PublishedAsync();

        var titles = await new RunCache(store).GetTitlesAsync("r");

        // Synthetic titles read "Synthetic paper {i} on {topic}": the whole run, not only a sample's documents.
        Assert.Equal(_run.Documents.Count, titles.Count);
        var expected = Enumerable.Range(0, _run.Documents.Count)
            .Where(i => _run.Documents[i].Title!.Contains("paper 19", StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.Equal(111, expected.Length);
        Assert.Equal(expected, titles.Find("PAPER 19"));
    }

    [Fact]
    public async Task A_documents_file_shorter_than_the_sample_names_the_file()
    {
        var store = await PublishedAsync();
        var file = Path.Combine(_dir.Path, "runs", "r", "documents.jsonl");
        File.WriteAllLines(file, File.ReadAllLines(file, Encoding.UTF8).Take(100));

        var error = await Assert.ThrowsAsync<ResultFileException>(() => new RunCache(store).GetMapPayloadAsync("r", 700));

        Assert.Equal("runs/r/documents.jsonl", error.File);
        Assert.Contains("fewer documents", error.Problem);
    }

    [Fact]
    public async Task A_sampled_point_that_is_not_a_number_is_a_problem_of_the_map()
    {
        var positions = DocumentMapPayload.Sample(_run.Documents.Count, 700)!;
        var run = _run with { Documents = _run.Documents.Select((d, i) => i == positions[3] ? d with { X = float.NaN } : d).ToList() };
        var store = new FakeResultStore();
        store.Runs.Add(run);

        var payload = await new RunCache(store).GetMapPayloadAsync("r", 700);

        Assert.Contains(payload.Problems, p => p.Contains("1 document(s) have map coordinates that are not numbers") && p.Contains(run.Documents[positions[3]].Id));
    }

    public void Dispose() => _dir.Dispose();
}
