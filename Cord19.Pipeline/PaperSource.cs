using Cord19.Core.Pipeline;
using Cord19.Core.Targets.Local;

namespace Cord19.Pipeline;

/// <summary>Where pre-processing reads its papers: a metadata file, or the control panel's data lake (its phase 2 table).</summary>
/// <param name="Name">What the corpus's manifest and the messages call the source.</param>
/// <param name="Folder">The folder the kept abstracts wait in until the corpus is written: on the source's disk.</param>
/// <param name="Fix">What to do when the source yields no document.</param>
/// <param name="Papers">The papers, streamed.</param>
/// <param name="Skipped">Rows the source itself could not read, by reason (complete once the papers are read).</param>
internal sealed record PaperSource(string Name, string Folder, string Fix, Func<CancellationToken, IEnumerable<PaperRecord>> Papers,
    Func<IReadOnlyDictionary<string, long>> Skipped)
{
    public static PaperSource Metadata(string path)
    {
        var reader = new MetadataCsvReader(path);
        return new PaperSource(Path.GetFileName(path), Path.GetDirectoryName(Path.GetFullPath(path))!,
            "Widen the publish-time window in the settings, or choose another metadata file.", _ => reader.Read(), () => reader.Skipped);
    }

    /// <summary>The rows are streamed from the table (a million raw rows would not fit beside the corpus).</summary>
    public static PaperSource Lake(string databasePath)
    {
        var lake = new DuckDbDataLake(databasePath);
        return new PaperSource($"{DuckDbDataLake.Table} table", Path.GetDirectoryName(Path.GetFullPath(databasePath))!,
            "Widen the publish-time window or choose another metadata file in Settings, then run phases 2 and 4 again. The previous corpus is kept.",
            ct => lake.ReadPapersAsync(ct).ToBlockingEnumerable(ct), () => new Dictionary<string, long>());
    }
}
