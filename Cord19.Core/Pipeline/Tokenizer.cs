using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Tartarus.Snowball.Ext;
using Lucene.Net.Util;

namespace Cord19.Core.Pipeline;

/// <summary>
/// Lucene's standard tokenizer (Unicode word boundaries), lower case, stop words removed, then the Snowball
/// English stemmer. Remembers the most frequent surface word of each stem so that terms are shown as words
/// ("infection"), not stems ("infect"). Not thread-safe: one per worker.
/// </summary>
public sealed class Tokenizer
{
    private const int MinLength = 3;
    private readonly EnglishStemmer _stemmer = new();
    private readonly Dictionary<string, string> _stemCache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string? Word, string? Stem)> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string? Word, string? Stem)>.AlternateLookup<ReadOnlySpan<char>> _tokens;
    // One Lucene tokenizer for every text: building one allocates its scanner's buffers, which cost more than
    // tokenising an abstract. Lucene's reuse contract: SetReader, Reset, IncrementToken…, End, Dispose.
    private readonly StandardTokenizer _tokenizer = new(LuceneVersion.LUCENE_48, TextReader.Null);
    private readonly LowerCaseFilter _stream;
    private readonly ICharTermAttribute _term;

    public Tokenizer()
    {
        _stream = new LowerCaseFilter(LuceneVersion.LUCENE_48, _tokenizer);
        _term = _stream.AddAttribute<ICharTermAttribute>();
        _tokens = _seen.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public SurfaceForms Surfaces { get; } = new();

    public IReadOnlyList<string> Tokenize(string text) => Tokenize(text, Surfaces.Count);

    /// <summary>The stems of <paramref name="text"/>; each (stem, surface word) pair goes to <paramref name="surface"/>.</summary>
    public IReadOnlyList<string> Tokenize(string text, Action<string, string> surface)
    {
        var tokens = new List<string>();
        var stream = _stream;
        _tokenizer.SetReader(new StringReader(text));
        stream.Reset();
        while (stream.IncrementToken())
        {
            // Most tokens were seen before: look them up by the term buffer itself, with no string made.
            var raw = _term.Buffer.AsSpan(0, _term.Length);
            if (!_tokens.TryGetValue(raw, out var known))
            {
                var token = raw.ToString();
                known = Analyse(token);
                if (_seen.Count < 500_000) _seen[token] = known;
            }
            if (known.Stem is not { } stem) continue;
            surface(stem, known.Word!);
            tokens.Add(stem);
        }
        stream.End();
        stream.Dispose();
        return tokens;
    }

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
        if (_stemCache.Count < 500_000) _stemCache[word] = stem;
        return stem;
    }
}

/// <summary>For each stem, how often each surface word produced it.</summary>
public sealed class SurfaceForms
{
    private readonly Dictionary<string, Dictionary<string, int>> _counts = new(StringComparer.Ordinal);

    public void Count(string stem, string word)
    {
        if (!_counts.TryGetValue(stem, out var words)) _counts[stem] = words = new(StringComparer.Ordinal);
        words[word] = words.GetValueOrDefault(word) + 1;
    }

    /// <summary>The counts of several tokenizers (one per thread) together.</summary>
    public static SurfaceForms Merge(IEnumerable<SurfaceForms> parts)
    {
        var all = new SurfaceForms();
        foreach (var part in parts)
            foreach (var (stem, words) in part._counts)
                foreach (var (word, count) in words)
                {
                    if (!all._counts.TryGetValue(stem, out var into)) all._counts[stem] = into = new(StringComparer.Ordinal);
                    into[word] = into.GetValueOrDefault(word) + count;
                }
        return all;
    }

    /// <summary>Stem to its most frequent surface word (ties broken alphabetically, for stable output).</summary>
    public Dictionary<string, string> MostFrequent() => _counts.ToDictionary(
        p => p.Key,
        p => p.Value.OrderByDescending(w => w.Value).ThenBy(w => w.Key, StringComparer.Ordinal).First().Key,
        StringComparer.Ordinal);
}
