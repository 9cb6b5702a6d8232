using System.Globalization;
using Lucene.Net.Tartarus.Snowball.Ext;

namespace Cord19.Core.Pipeline;

/// <summary>
/// Words as Unicode's word boundaries (UAX #29) find them in English text, lower case, stop words removed, then the
/// Snowball English stemmer. Remembers how often each surface word produced each stem, so that terms are shown as
/// words ("infection"), not stems ("infect"). Not thread-safe: one per worker.
/// </summary>
/// <remarks>
/// The words are found by a scan over the text's characters rather than Lucene's StandardTokenizer, which this
/// replaced: most words repeat, so a word seen before costs one lookup by a span of a stack buffer, with no string
/// and no stemming; that halved tokenising's time (1.6 s to 0.8 s on one core for the real corpus). The scan keeps UAX #29's rules that matter here: letters,
/// digits and combining marks make a word; '.', ''' and '’' join letters to letters and digits to digits
/// ("e.g", "patient's", "3.5"), as do '‘', and ':', '：' and '·' join letters and ',' and ';' join digits; anything else ends the word. Words longer
/// than 255 characters are dropped, as Lucene drops them.
/// </remarks>
public sealed class Tokenizer
{
    private const int MinLength = 3;
    private const int MaxLength = 255;
    private const int MaxRemembered = 500_000;
    private readonly EnglishStemmer _stemmer = new();
    private readonly Dictionary<string, string> _stemCache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _seenBySpan;
    private readonly List<(string? Word, string? Stem)> _analysed = [];
    private readonly List<int> _uses = [];
    private readonly SurfaceForms _notRemembered = new();

    public Tokenizer() => _seenBySpan = _seen.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Adds how often each surface word produced each stem, over every text tokenised so far, to <paramref name="all"/>
    /// (one thread's share of a corpus).
    /// </summary>
    public void AddSurfacesTo(SurfaceForms all)
    {
        all.Add(_notRemembered);
        for (var e = 0; e < _analysed.Count; e++)
            if (_analysed[e].Stem is { } stem && _uses[e] > 0) all.Count(stem, _analysed[e].Word!, _uses[e]);
    }

    /// <summary>The stems of <paramref name="text"/>, in order.</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        Tokenize(text, tokens);
        return tokens;
    }

    /// <summary>
    /// The stems of each text in turn, as one array: what tokenising them joined by ". " gives (no word crosses a
    /// sentence end), without building the joined string or growing a list per document.
    /// </summary>
    public string[] Tokenize(ReadOnlySpan<string?> texts)
    {
        _tokens.Clear();
        foreach (var text in texts) Tokenize(text, _tokens);
        return [.. _tokens];
    }

    private readonly List<string> _tokens = [];

    private void Tokenize(ReadOnlySpan<char> text, List<string> tokens)
    {
        Span<char> lower = stackalloc char[MaxLength];
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !StartsWord(text[i])) i++;
            var start = i;
            while (i < text.Length && (IsWordChar(text[i]) || (i > start && i + 1 < text.Length && Joins(text[i - 1], text[i], text[i + 1])))) i++;
            var length = i - start;
            if (length == 0 || length > MaxLength) continue;
            var word = lower[..length];
            text.Slice(start, length).ToLowerInvariant(word);
            if (!_seenBySpan.TryGetValue(word, out var entry))
            {
                var token = word.ToString();
                var analysed = Analyse(token);
                if (_seen.Count >= MaxRemembered)
                {
                    if (analysed.Stem is { } stem) { _notRemembered.Count(stem, analysed.Word!, 1); tokens.Add(stem); }
                    continue;
                }
                entry = _analysed.Count;
                _seen[token] = entry;
                _analysed.Add(analysed);
                _uses.Add(0);
            }
            if (_analysed[entry].Stem is not { } kept) continue;
            _uses[entry]++;
            tokens.Add(kept);
        }
    }

    private static readonly bool[] AsciiWordChars = Enumerable.Range(0, 128).Select(c => char.IsAsciiLetterOrDigit((char)c) || c == '_').ToArray();

    private static bool StartsWord(char c) => c < 128 ? AsciiWordChars[c] : (char.IsLetterOrDigit(c) || char.IsSurrogate(c)) && !IsIdeograph(c);

    /// <summary>Han, hiragana and katakana: UAX #29 makes each one a word of its own, too short to keep.</summary>
    private static bool IsIdeograph(char c) => c is (>= '\u3040' and <= '\u30ff') or (>= '\u3400' and <= '\u9fff') or (>= '\uf900' and <= '\ufaff');

    /// <summary>What starts a word, and inside one marks and format characters too (a soft hyphen or a direction mark stays in its word).</summary>
    private static bool IsWordChar(char c) =>
        c < 128 ? AsciiWordChars[c] : StartsWord(c) || CharUnicodeInfo.GetUnicodeCategory(c) is
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format;

    /// <summary>Whether <paramref name="mid"/> keeps the word going between <paramref name="before"/> and <paramref name="after"/>.</summary>
    private static bool Joins(char before, char mid, char after) => mid switch
    {
        '.' or '\'' or '’' or '‘' => (char.IsLetter(before) && char.IsLetter(after)) || (char.IsDigit(before) && char.IsDigit(after)),
        ':' or '·' or '：' => char.IsLetter(before) && char.IsLetter(after),
        ',' or ';' => char.IsDigit(before) && char.IsDigit(after),
        _ => false,
    };

    /// <summary>What a lower-cased token becomes: a (surface word, stem) pair, or nothing when it is dropped.</summary>
    private (string? Word, string? Stem) Analyse(string token)
    {
        if (token.Length < MinLength || !char.IsLetter(token[0]) || StopWords.All.Contains(token) || token.All(char.IsDigit))
            return (null, null);
        var word = token.Replace("'s", "", StringComparison.Ordinal).Replace("’s", "", StringComparison.Ordinal);
        var stem = Stem(word);
        return stem.Length < MinLength || StopWords.All.Contains(stem) ? (null, null) : (word, stem);
    }

    private string Stem(string word)
    {
        if (_stemCache.TryGetValue(word, out var stem)) return stem;
        _stemmer.SetCurrent(word);
        _stemmer.Stem();
        stem = _stemmer.Current;
        if (_stemCache.Count < MaxRemembered) _stemCache[word] = stem;
        return stem;
    }
}

/// <summary>For each stem, how often each surface word produced it.</summary>
/// <remarks>
/// Kept by word, not by stem: a word has one stem (the stemmer is a function), so merging the threads' counts is one
/// sum per word, and the display word of each stem is found in one pass. Kept by stem, with a dictionary of words per
/// stem and a sort per stem, merging and choosing took 0.15-0.4 s of the real corpus's 2 s of pre-processing.
/// </remarks>
public sealed class SurfaceForms
{
    private readonly Dictionary<string, (string Stem, int Count)> _byWord = new(StringComparer.Ordinal);

    public void Count(string stem, string word, int times)
    {
        ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_byWord, word, out var exists);
        entry = (stem, exists ? entry.Count + times : times);
    }

    /// <summary>Adds another's counts to these.</summary>
    public void Add(SurfaceForms other)
    {
        foreach (var (word, (stem, count)) in other._byWord) Count(stem, word, count);
    }

    /// <summary>Stem to its most frequent surface word (ties broken alphabetically, for stable output).</summary>
    public Dictionary<string, string> MostFrequent()
    {
        var best = new Dictionary<string, (string Word, int Count)>(StringComparer.Ordinal);
        foreach (var (word, (stem, count)) in _byWord)
        {
            ref var chosen = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(best, stem, out var exists);
            if (!exists || count > chosen.Count || (count == chosen.Count && string.CompareOrdinal(word, chosen.Word) < 0)) chosen = (word, count);
        }
        return best.ToDictionary(p => p.Key, p => p.Value.Word, StringComparer.Ordinal);
    }
}
