using System.IO.Compression;
using Cord19.Core.Pipeline;
using Cord19.Core.Settings;
using Cord19.Tests.Support;

namespace Cord19.Tests.Pipeline;

public sealed class MetadataCsvReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task The_streamed_sample_gives_the_same_corpus_as_the_data_lake()
    {
        var streamed = new Preprocessor(new PipelineSettings()).Run(new MetadataCsvReader(DataDirectory.ShippedSample).Read(), "sample", DateTime.UtcNow, default);
        var lake = await SampleCorpus.GetAsync();

        Assert.Equal(4992, streamed.Manifest.RowsRead);
        Assert.Equal(lake.Documents.Select(d => d.Id), streamed.Documents.Select(d => d.Id));
    }

    [Fact]
    public void A_row_with_broken_quoting_is_counted_and_the_rest_is_read()
    {
        var path = _dir.File("metadata.csv");
        File.WriteAllText(path,
            "cord_uid,title,abstract,publish_time\n" +
            "aaaaaaaa,First,\"An abstract\",2020\n" +
            "bbbbbbbb,Second,An \"unbalanced abstract,2020\n" +
            "cccccccc,Third,\"Another abstract\",2021\n");
        var reader = new MetadataCsvReader(path);

        var rows = reader.Read().ToList();

        // Where a stray quote ends is a guess for any parser; what matters is that reading goes on,
        // the good row before it is intact, and the damage is counted rather than hidden.
        Assert.Equal("An abstract", rows.Single(r => r.Id == "aaaaaaaa").Abstract);
        Assert.Equal(1, reader.Skipped[MetadataCsvReader.BrokenRow]);
        Assert.Equal(3, rows.Count + reader.Skipped[MetadataCsvReader.BrokenRow]);
    }

    [Fact]
    public void A_truncated_gzip_is_refused_with_its_name()
    {
        var full = File.ReadAllBytes(DataDirectory.ShippedSample);
        var path = _dir.File("cut.csv.gz");
        File.WriteAllBytes(path, full[..(full.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => new MetadataCsvReader(path).Read().Count());
        Assert.Contains("cut.csv.gz", error.Message);
    }

    [Fact]
    public void A_file_without_an_abstract_column_names_what_is_missing()
    {
        var path = _dir.File("other.csv.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        using (var w = new StreamWriter(gz)) w.Write("id,name\n1,a\n");

        var error = Assert.Throws<InvalidDataException>(() => new MetadataCsvReader(path).Read().ToList());
        Assert.Contains("none of them 'title' and 'abstract'", error.Message);
    }

    public void Dispose() => _dir.Dispose();
}
