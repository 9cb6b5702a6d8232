using System.Collections;
using System.Runtime.InteropServices;

namespace Cord19.Core.Results;

/// <summary>
/// A corpus's distinct stems, numbered in the order they were first met: documents hold their stems' numbers. At a
/// million documents there are 128 million tokens over a few hundred thousand stems; as numbers they are half the
/// memory of references to shared strings, arrays the collector never has to look inside, and TF-IDF counts them in
/// arrays instead of looking each one up by its characters.
/// </summary>
/// <remarks>
/// Numbering is safe from several threads at once (pre-processing's tokenizers share one table, and each asks once
/// per distinct word); reading a stem by its number is for after the numbering, on any thread. The numbers depend on
/// which thread met a stem first, so nothing may be ordered by them: TF-IDF orders its terms by their frequency and
/// characters, and files hold the stems themselves.
/// </remarks>
public sealed class StemTable : IReadOnlyList<string>
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idsByChars;
    private readonly List<string> _stems = [];
    private readonly Lock _numbering = new();

    public StemTable() => _idsByChars = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The number of <paramref name="stem"/>, given it now if it has none.</summary>
    public int IdOf(string stem)
    {
        lock (_numbering)
            return Number(stem);
    }

    /// <summary>
    /// The number of the stem spelt by <paramref name="chars"/>, given it now if it has none; a stem already numbered
    /// costs no allocation (what a corpus file's reader meets for all but its first use of each stem).
    /// </summary>
    public int IdOf(ReadOnlySpan<char> chars)
    {
        lock (_numbering)
            return _idsByChars.TryGetValue(chars, out var id) ? id : Number(chars.ToString());
    }

    private int Number(string stem)
    {
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, stem, out var exists);
        if (!exists)
        {
            id = _stems.Count;
            _stems.Add(stem);
        }
        return id;
    }

    /// <summary>The number of <paramref name="stem"/>, or -1 when no document has it.</summary>
    public int Find(string stem)
    {
        lock (_numbering)
            return _ids.TryGetValue(stem, out var id) ? id : -1;
    }

    public string this[int id] => _stems[id];

    public int Count => _stems.Count;

    public IEnumerator<string> GetEnumerator() => _stems.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
