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

    public SurfaceForms Surfaces { get; } = new();

    public IReadOnlyList<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        using var tokenizer = new StandardTokenizer(LuceneVersion.LUCENE_48, new StringReader(text));
        using var stream = new LowerCaseFilter(LuceneVersion.LUCENE_48, tokenizer);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            var word = term.ToString();
            if (word.Length < MinLength || !char.IsLetter(word[0]) || StopWords.All.Contains(word) || word.All(char.IsDigit))
                continue;
            word = word.Replace("'s", "", StringComparison.Ordinal).Replace("’s", "", StringComparison.Ordinal);
            var stem = Stem(word);
            if (stem.Length < MinLength || StopWords.All.Contains(stem)) continue;
            Surfaces.Count(stem, word);
            tokens.Add(stem);
        }
        stream.End();
        return tokens;
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

    /// <summary>Stem to its most frequent surface word (ties broken alphabetically, for stable output).</summary>
    public Dictionary<string, string> MostFrequent() => _counts.ToDictionary(
        p => p.Key,
        p => p.Value.OrderByDescending(w => w.Value).ThenBy(w => w.Key, StringComparer.Ordinal).First().Key,
        StringComparer.Ordinal);
}
