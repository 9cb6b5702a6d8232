using System.Buffers;
using System.Text;

namespace Cord19.Web.Model;

/// <summary>
/// Every title of a run, for the map's search, which covers the whole run even when the map shows a sample of it.
/// The titles are kept lower-cased as UTF-8 in one array, one after another, because a million real titles (about a
/// hundred characters each) held as strings take twice the memory; a search is then one vectorised scan of it.
/// </summary>
public sealed class DocumentTitleIndex
{
    private readonly byte[] _text;
    // Where each document's title starts in _text, and one more: the end of the last.
    private readonly int[] _starts;

    private DocumentTitleIndex(byte[] text, int[] starts) => (_text, _starts) = (text, starts);

    /// <param name="titles">Each document's title, in the run's order (null for a document without one).</param>
    public static DocumentTitleIndex Build(IReadOnlyList<string?> titles)
    {
        // One pass, folding into one reused buffer: no second, lower-cased string a title (a million more allocations).
        var text = new ArrayBufferWriter<byte>(titles.Count * 64);
        var starts = new int[titles.Count + 1];
        var folded = new char[256];
        for (var d = 0; d < titles.Count; d++)
        {
            starts[d] = text.WrittenCount;
            var title = titles[d].AsSpan();
            if (folded.Length < title.Length) folded = new char[title.Length * 2];
            var lower = folded.AsSpan(0, title.Length);
            Fold(title, lower);
            var bytes = text.GetSpan(Encoding.UTF8.GetMaxByteCount(lower.Length) + 1);
            var written = Encoding.UTF8.GetBytes(lower, bytes);
            // A separator after each title, so that no match runs from one title into the next.
            bytes[written] = Separator;
            text.Advance(written + 1);
        }
        starts[^1] = text.WrittenCount;
        return new DocumentTitleIndex(text.WrittenSpan.ToArray(), starts);
    }

    public int Count => _starts.Length - 1;

    /// <summary>The documents whose title contains <paramref name="text"/>, whatever its case, in the run's order.</summary>
    public int[] Find(string text)
    {
        var folded = new char[text.Length];
        Fold(text, folded);
        var needle = Encoding.UTF8.GetBytes(folded);
        if (needle.Length == 0) return [];
        var found = new List<int>();
        ReadOnlySpan<byte> all = _text;
        for (var from = 0; from < all.Length;)
        {
            var at = all[from..].IndexOf(needle);
            if (at < 0) break;
            var document = Array.BinarySearch(_starts, from + at);
            if (document < 0) document = ~document - 1;
            found.Add(document);
            // One match a document: go on from the next title.
            from = _starts[document + 1];
        }
        return [.. found];
    }

    private const byte Separator = (byte)'\n';

    /// <summary>Titles and searches alike: lower-cased by the invariant culture, line breaks (which no search holds) as spaces.</summary>
    private static void Fold(ReadOnlySpan<char> text, Span<char> into)
    {
        text.ToLowerInvariant(into);
        into.Replace('\n', ' ');
        into.Replace('\r', ' ');
    }
}
