using System.Globalization;
using System.IO.Compression;
using Cord19.Core.Pipeline;
using CsvHelper;

namespace Cord19.Pipeline.Corpora;

/// <summary>Writes papers as a gzip metadata.csv that every CORD-19 reader (ours, the scikit-learn script) reads.</summary>
public sealed class CorpusFile : IDisposable
{
    private readonly StreamWriter _text;
    private readonly CsvWriter _csv;

    public CorpusFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Stream stream = File.Create(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) stream = new GZipStream(stream, CompressionLevel.Fastest);
        _text = new StreamWriter(stream);
        _csv = new CsvWriter(_text, CultureInfo.InvariantCulture);
        foreach (var column in new[] { "cord_uid", "title", "abstract", "publish_time", "authors", "journal", "doi" }) _csv.WriteField(column);
        _csv.NextRecord();
    }

    public long Rows { get; private set; }

    public void Write(PaperRecord paper)
    {
        foreach (var value in new[] { paper.Id, paper.Title, paper.Abstract, paper.PublishTime, paper.Authors, paper.Journal, paper.Doi })
            _csv.WriteField(value ?? "");
        _csv.NextRecord();
        Rows++;
    }

    /// <summary>The real papers with an abstract from several CORD-19 files (any release's header), as one file.</summary>
    public static long Merge(IEnumerable<string> sources, string output)
    {
        using var file = new CorpusFile(output);
        foreach (var source in sources)
            foreach (var paper in new MetadataCsvReader(source).Read())
                if (!string.IsNullOrWhiteSpace(paper.Abstract)) file.Write(paper);
        return file.Rows;
    }

    public void Dispose()
    {
        _csv.Dispose();
        _text.Dispose();
    }
}
