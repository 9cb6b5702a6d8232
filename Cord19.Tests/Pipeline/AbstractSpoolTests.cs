using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Tests.Support;

namespace Cord19.Tests.Pipeline;

public sealed class AbstractSpoolTests
{
    [Fact]
    public async Task Abstracts_come_back_in_order_as_often_as_asked_and_the_file_goes_with_the_spool()
    {
        using var folder = new TempDirectory();
        string[] texts = ["SARS-CoV-2 binds ACE2.", "", "Ünïcödé — 新型冠状病毒", new string('x', 100_000)];
        var spool = new AbstractSpool(folder.Path);
        foreach (var text in texts) spool.Append(text);
        var documents = texts.Select((_, i) => new CorpusDocument($"d{i}", null, null, null, null, null, "", [0])).ToList();

        Assert.Equal(texts, spool.ReadAll());
        Assert.Equal(texts, spool.Restore(documents).Select(d => d.Abstract));
        Assert.Equal(texts, await spool.Corpus(null!, new StemTable(), documents).ReadAbstractsAsync(default).ToListAsync());

        spool.Dispose();
        Assert.Empty(Directory.GetFiles(folder.Path));
    }
}
