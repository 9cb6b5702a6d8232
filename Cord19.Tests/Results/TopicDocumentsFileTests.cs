using System.Text.Json;
using Cord19.Core.Insights;
using Cord19.Core.Results;
using Cord19.Tests.Support;
using Cord19.Web.ServiceClient;

namespace Cord19.Tests.Results;

/// <summary>runs/{runId}/topic-documents.json: each topic's timeline and top documents, published with the run.</summary>
public sealed class TopicDocumentsFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly RunResult _run = SyntheticRun.Create("r", 600);

    [Theory]
    [InlineData(10)]
    [InlineData(3)]
    public void The_file_gives_every_topic_the_timeline_and_top_documents_found_from_the_documents(int shown)
    {
        var found = TopicDocuments.Compute(_run.Documents, 10);
        var file = JsonSerializer.Deserialize<PublishedTopicDocuments>(JsonSerializer.Serialize(found.ToFile(), ResultStore.Json), ResultStore.Json)!;

        var read = TopicDocuments.FromFile(file, shown);

        var expected = TopicDocuments.Compute(_run.Documents, shown);
        Assert.All(_run.Topics, t =>
        {
            Assert.Equal(expected.Timeline(t.Id), read.Timeline(t.Id));
            Assert.Equal(expected.Top(t.Id).Select(d => d.Id), read.Top(t.Id).Select(d => d.Id));
            Assert.NotEmpty(read.Top(t.Id));
        });
    }

    [Fact]
    public async Task A_run_published_with_it_reads_it_back_and_an_older_run_reads_null()
    {
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));
        await store.PublishRunAsync(_run with { TopicDocuments = TopicDocuments.Compute(_run.Documents, 10).ToFile() }, default);
        await store.PublishRunAsync(SyntheticRun.Create("older", 60), default);

        var file = await store.LoadTopicDocumentsAsync("r", default);

        Assert.Equal(10, file!.TopCount);
        Assert.Equal(_run.Topics.Count, file.Topics.Count);
        Assert.Null(await store.LoadTopicDocumentsAsync("older", default));
    }

    [Fact]
    public async Task An_older_run_s_topic_documents_are_found_from_its_documents_once_and_written_beside_them()
    {
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));
        await store.PublishRunAsync(_run with { TopicDocuments = null }, default);

        var found = await new RunCache(store).GetTopicDocumentsAsync("r", TopicDocuments.PublishedTopCount);

        // After a restart (a new cache), the file is read: the same timelines and top documents.
        var file = await store.LoadTopicDocumentsAsync("r", default);
        Assert.NotNull(file);
        var read = await new RunCache(store).GetTopicDocumentsAsync("r", TopicDocuments.PublishedTopCount);
        Assert.All(_run.Topics, t =>
        {
            Assert.Equal(found.Timeline(t.Id), read.Timeline(t.Id));
            Assert.Equal(found.Top(t.Id).Select(d => d.Id), read.Top(t.Id).Select(d => d.Id));
        });
    }

    [Fact]
    public async Task A_store_that_cannot_take_the_file_still_gives_the_page_its_topic_documents()
    {
        var store = new FakeResultStore { TopicDocumentsSaveFailure = new UnauthorizedAccessException("read-only") };
        store.Runs.Add(_run with { TopicDocuments = null });
        var cache = new RunCache(store);

        var found = await cache.GetTopicDocumentsAsync("r", TopicDocuments.PublishedTopCount);

        Assert.NotEmpty(found.Top(_run.Topics[0].Id));
        // Found once, kept: the run is not read whole again on the next visit.
        await cache.GetTopicDocumentsAsync("r", TopicDocuments.PublishedTopCount);
        Assert.Equal(1, store.DocumentReads);
    }

    [Fact]
    public async Task Monthly_weights_that_do_not_match_the_months_name_the_file_and_the_topic()
    {
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));
        var file = TopicDocuments.Compute(_run.Documents, 10).ToFile();
        var uneven = file with { Topics = [file.Topics[0] with { WeightPerMonth = [1.0] }, .. file.Topics.Skip(1)] };
        await store.PublishRunAsync(_run with { TopicDocuments = uneven }, default);

        var error = await Assert.ThrowsAsync<ResultFileException>(() => store.LoadTopicDocumentsAsync("r", default));

        Assert.Equal("runs/r/topic-documents.json", error.File);
        Assert.Contains($"topic {file.Topics[0].Id} 1 monthly weights for {file.Months.Count} months", error.Problem);
    }

    [Theory]
    [InlineData("""{"topCount":10,"months":null,"topics":[]}""", "lacks its months")]
    [InlineData("""{"topCount":10,"months":[],"topics":[{"id":3,"weightPerMonth":[],"top":null}]}""", "lacks its months, or a topic its weights or documents")]
    [InlineData("""{"topCount":10,"months":[],"topics":[{"id":3,"weightPerMonth":[],"top":[]},{"id":3,"weightPerMonth":[],"top":[]}]}""", "lists topic 3 2 times")]
    [InlineData("""{"topCount":10,"months":[],"topics":[{"id":3,"weightPerMonth":[],"top":[{"id":"a","cluster":0,"x":0,"y":0,"topicWeights":{"4":1}}]}]}""",
        "a top document of topic 3 without its weight for that topic")]
    public async Task A_file_the_page_would_trip_over_names_the_problem(string json, string problem)
    {
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));
        await store.PublishRunAsync(_run, default);
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "runs", "r", "topic-documents.json"), json);

        var error = await Assert.ThrowsAsync<ResultFileException>(() => store.LoadTopicDocumentsAsync("r", default));

        Assert.Contains(problem, error.Problem);
    }

    public void Dispose() => _dir.Dispose();
}
