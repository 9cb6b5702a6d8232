using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cord19.Core.Results;
using Lucene.Net.Tartarus.Snowball.Ext;

namespace Cord19.Core.Pipeline;

/// <summary>
/// Words as Unicode's word boundaries (UAX #29) find them in English text, lower case, stop words removed, then the
/// Snowball English stemmer. Remembers how often each surface word produced each stem, so that terms are shown as
/// words ("infection"), not stems ("infect"), and hands out each stem as its number in a StemTable, which a corpus's
/// tokenizers share. Not thread-safe: one per worker.
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
    // Each word seen, with what it became and how often: one table, so that a word seen before costs one lookup and
    // its stem and count are in the entry the lookup found.
    private readonly Dictionary<string, Analysis> _seen;
    private readonly Dictionary<string, Analysis>.AlternateLookup<ReadOnlySpan<char>> _seenBySpan;
    private readonly SurfaceForms _notRemembered = new();
    private readonly StemTable _stems;

    /// <summary>
    /// What a lower-cased word became: its stem's number, or -1 when it is dropped; how often it was kept; and whether
    /// it is a function word, for the language test.
    /// </summary>
    private struct Analysis(int stemId, FunctionWord function)
    {
        public readonly int StemId = stemId;
        public readonly FunctionWord Function = function;
        public int Uses;
    }

    /// <param name="stems">Where stems get their numbers: one table for all of a corpus's tokenizers (a new one if null).</param>
    /// <param name="expectedWords">
    /// How many distinct words to make room for at once. A corpus's tokenizer would otherwise grow its table by
    /// doubling, and each larger table is a large-object allocation that can set off a full collection.
    /// </param>
    public Tokenizer(StemTable? stems = null, int expectedWords = 0)
    {
        _stems = stems ?? new StemTable();
        _seen = new(Math.Min(expectedWords, MaxRemembered), StringComparer.Ordinal);
        _seenBySpan = _seen.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// Adds how often each surface word produced each stem, over every text tokenised so far, to <paramref name="all"/>
    /// (one thread's share of a corpus), once tokenising is over: it reads the stem table.
    /// </summary>
    public void AddSurfacesTo(SurfaceForms all)
    {
        all.Add(_notRemembered);
        foreach (var (word, analysis) in _seen)
            if (analysis.StemId >= 0 && analysis.Uses > 0) all.Count(_stems[analysis.StemId], SurfaceWord(word), analysis.Uses);
    }

    /// <summary>Where this tokenizer's stems are numbered.</summary>
    public StemTable Stems => _stems;

    /// <summary>The stems of <paramref name="text"/>, in order.</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        var tokens = new List<int>();
        var language = new LanguageTally();
        Tokenize(text, tokens, ref language);
        return tokens.Select(id => _stems[id]).ToList();
    }

    /// <summary>
    /// The numbers of the stems of each text in turn (see <see cref="Stems"/>), as one array: what tokenising them joined
    /// by ". " gives (no word crosses a sentence end), without building the joined string or growing a list per document.
    /// </summary>
    /// <param name="lastText">The words of the last text, counted for <see cref="LanguageGuess"/>.</param>
    public int[] Tokenize(ReadOnlySpan<string?> texts, out LanguageTally lastText)
    {
        _tokens.Clear();
        lastText = new LanguageTally();
        foreach (var text in texts)
        {
            lastText = new LanguageTally();
            Tokenize(text, _tokens, ref lastText);
        }
        return [.. _tokens];
    }

    /// <inheritdoc cref="Tokenize(ReadOnlySpan{string}, out LanguageTally)"/>
    public int[] Tokenize(ReadOnlySpan<string?> texts) => Tokenize(texts, out _);

    private readonly List<int> _tokens = [];

    private void Tokenize(ReadOnlySpan<char> text, List<int> tokens, ref LanguageTally language)
    {
        Span<char> lower = stackalloc char[MaxLength];
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !StartsWord(text[i])) language.Between(text[i++]);
            var start = i;
            while (i < text.Length && (IsWordChar(text[i]) || (i > start && i + 1 < text.Length && Joins(text[i - 1], text[i], text[i + 1])))) i++;
            var length = i - start;
            if (length == 0) continue;
            if (length > MaxLength)
            {
                language.Word(FunctionWord.None);
                continue;
            }
            var word = lower[..length];
            text.Slice(start, length).ToLowerInvariant(word);
            ref var seen = ref CollectionsMarshal.GetValueRefOrNullRef(_seenBySpan, word);
            if (Unsafe.IsNullRef(ref seen))
            {
                var token = word.ToString();
                var stem = Analyse(token);
                var function = LanguageGuess.Of(token);
                language.Word(function);
                var stemId = stem is null ? -1 : _stems.IdOf(stem);
                if (_seen.Count < MaxRemembered) _seen.Add(token, new Analysis(stemId, function) { Uses = stem is null ? 0 : 1 });
                else if (stem is not null) _notRemembered.Count(stem, SurfaceWord(token), 1);
                if (stem is not null) tokens.Add(stemId);
                continue;
            }
            language.Word(seen.Function);
            if (seen.StemId < 0) continue;
            seen.Uses++;
            tokens.Add(seen.StemId);
        }
        language.End();
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

    /// <summary>The stem a lower-cased token becomes, or null when it is dropped.</summary>
    private string? Analyse(string token)
    {
        // A word that starts with a letter is not a number.
        if (token.Length < MinLength || !char.IsLetter(token[0]) || StopWords.All.Contains(token)) return null;
        _stemmer.SetCurrent(SurfaceWord(token));
        _stemmer.Stem();
        var stem = _stemmer.Current;
        return stem.Length < MinLength || StopWords.All.Contains(stem) ? null : stem;
    }

    /// <summary>The word as it is shown for its stem: without a possessive 's.</summary>
    private static string SurfaceWord(string token) =>
        token.Replace("'s", "", StringComparison.Ordinal).Replace("’s", "", StringComparison.Ordinal);
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
