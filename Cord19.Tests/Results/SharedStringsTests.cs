using System.Text;
using System.Text.Json;
using Cord19.Core.Results;
using Cord19.Tests.Support;

namespace Cord19.Tests.Results;

public sealed class SharedStringsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_read_run_holds_each_journal_and_publish_time_once_and_every_value_as_written()
    {
        var longJournal = new string('j', 300);
        string?[] journals = ["Lancet", "Lancet", "Cell \"Reports\" é", "Cell \"Reports\" é", longJournal, null, ""];
        var documents = journals.Select((journal, i) => new DocumentResult($"d{i}", $"Title {i % 2}", journal, i % 3 == 0 ? null : "2020-03-13",
            "Doe, J", null, 0, i, -i, new Dictionary<int, float> { [0] = 1f })).ToList();
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));
        await store.PublishRunAsync(SyntheticRun.Create("r", 1) with { Documents = documents }, default);

        var back = (await store.LoadRunAsync("r", default)).Documents;

        Assert.Equal(documents, back, (a, b) => JsonSerializer.Serialize(a, ResultStore.Json) == JsonSerializer.Serialize(b, ResultStore.Json));
        Assert.Same(back[0].Journal, back[1].Journal);
        Assert.Same(back[2].Journal, back[3].Journal);
        Assert.Same(back[1].PublishTime, back[2].PublishTime);
        Assert.Same(back[1].PublishTime, back[5].PublishTime);
        // Only the two properties named are shared: every document keeps its own title.
        Assert.NotSame(back[0].Title, back[2].Title);
    }

    [Theory]
    [InlineData("""{"id":"a","journal":7,"cluster":0,"x":0,"y":0,"topicWeights":{}}""")]
    [InlineData("""{"id":"a","publishTime":["2020"],"cluster":0,"x":0,"y":0,"topicWeights":{}}""")]
    public async Task A_journal_or_date_that_is_not_a_string_names_its_line(string badLine)
    {
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));
        await store.PublishRunAsync(SyntheticRun.Create("r", 3), default);
        var file = Path.Combine(_dir.Path, "runs", "r", "documents.jsonl");
        var lines = File.ReadAllLines(file, Encoding.UTF8);
        lines[1] = badLine;
        File.WriteAllLines(file, lines);

        var error = await Assert.ThrowsAsync<ResultFileException>(() => store.LoadRunAsync("r", default));

        Assert.Contains("line 2", error.Message);
    }

    public void Dispose() => _dir.Dispose();
}
