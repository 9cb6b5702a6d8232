using Cord19.Core.Pipeline;
using Cord19.Core.Targets.Local;

namespace Cord19.Pipeline;

/// <summary>Where pre-processing reads its papers: a metadata file, or the control panel's data lake (its phase 2 table).</summary>
internal sealed class PaperSource
{
    private readonly Func<CancellationToken, IEnumerable<PaperRecord>> _papers;
    private readonly Func<IReadOnlyDictionary<string, long>> _skipped;

    private PaperSource(string name, string folder, string fix, Func<CancellationToken, IEnumerable<PaperRecord>> papers,
        Func<IReadOnlyDictionary<string, long>> skipped)
    {
        Name = name;
        Folder = folder;
        Fix = fix;
        _papers = papers;
        _skipped = skipped;
    }

    /// <summary>What the corpus's manifest and the messages call the source.</summary>
    public string Name { get; }

    /// <summary>The folder the kept abstracts wait in until the corpus is written: on the source's disk.</summary>
    public string Folder { get; }

    /// <summary>What to do when the source yields no document.</summary>
    public string Fix { get; }

    public IEnumerable<PaperRecord> Papers(CancellationToken ct) => _papers(ct);

    /// <summary>Rows the source itself could not read, by reason (complete once <see cref="Papers"/> is read).</summary>
    public IReadOnlyDictionary<string, long> Skipped => _skipped();

    public static PaperSource Metadata(string path)
    {
        var reader = new MetadataCsvReader(path);
        return new PaperSource(Path.GetFileName(path), Path.GetDirectoryName(Path.GetFullPath(path))!,
            "Widen the publish-time window in the settings, or choose another metadata file.", _ => reader.Read(), () => reader.Skipped);
    }

    /// <summary>
    /// The rows are streamed from the table (a million raw rows would not fit beside the corpus).
    /// </summary>
    public static PaperSource Lake(string databasePath)
    {
        var lake = new DuckDbDataLake(databasePath);
        return new PaperSource($"{DuckDbDataLake.Table} table", Path.GetDirectoryName(Path.GetFullPath(databasePath))!,
            "Widen the publish-time window or choose another metadata file in Settings, then run phases 2 and 4 again. The previous corpus is kept.",
            ct => lake.ReadPapersAsync(ct).ToBlockingEnumerable(ct), () => new Dictionary<string, long>());
    }
}
