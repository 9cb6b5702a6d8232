using System.Text;
using Cord19.Core.Results;

namespace Cord19.Core.Pipeline;

/// <summary>
/// The kept abstracts, set aside on disk in the order they were kept while the rest of the corpus stays in memory.
/// A million abstracts are about 3.3 GB as .NET strings, most of a whole-dataset run's memory, and they are needed
/// only when the corpus or a run's abstracts are written. The file goes when the spool is disposed.
/// </summary>
public sealed class AbstractSpool : IDisposable
{
    private readonly string _path;
    private readonly FileStream _file;
    private readonly BinaryWriter _writer;

    /// <param name="folder">Where the file goes: a folder on a disk with room for the abstracts (UTF-8, about 1.7 GB a million).</param>
    public AbstractSpool(string folder)
    {
        Directory.CreateDirectory(folder);
        _path = Path.Combine(folder, $"abstracts-{Guid.NewGuid():N}.spool");
        _file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.DeleteOnClose);
        _writer = new BinaryWriter(_file, Encoding.UTF8, leaveOpen: true);
    }

    public int Count { get; private set; }

    /// <summary>Appends an abstract (length-prefixed UTF-8).</summary>
    public void Append(string text)
    {
        _writer.Write(text);
        Count++;
    }

    /// <summary>The abstracts in the order they were appended; each enumeration reads the file again.</summary>
    public IEnumerable<string> ReadAll()
    {
        _writer.Flush();
        var count = Count;
        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        using var reader = new BinaryReader(file, Encoding.UTF8);
        for (var i = 0; i < count; i++) yield return reader.ReadString();
    }

    /// <summary>The documents with their abstracts put back, one at a time, for writing the corpus out.</summary>
    public IEnumerable<CorpusDocument> Restore(IEnumerable<CorpusDocument> documents) =>
        documents.Zip(ReadAll(), (document, text) => document with { Abstract = text });

    /// <summary>A corpus whose abstracts are read from this spool when a run publishes them.</summary>
    public Corpus Corpus(CorpusManifest manifest, StemTable stems, IReadOnlyList<CorpusDocument> documents) => new(manifest, stems, documents, _ => ReadAll().ToAsyncEnumerable());

    public void Dispose()
    {
        _writer.Dispose();
        _file.Dispose();
    }
}
