namespace Cord19.Core.Pipeline;

/// <summary>
/// Tells English abstracts from others by their function words. No language-detection package is served
/// here, and abstracts are long enough for this to be reliable: English prose is about a third function
/// words, while Spanish, French, German or Portuguese abstracts share few of them.
/// </summary>
/// <remarks>
/// The words are counted while the tokenizer scans the text (<see cref="Tokenizer.Tokenize(ReadOnlySpan{string}, out LanguageTally)"/>),
/// each word's kind found once, when the word is first seen. A pass of its own, splitting the text at whitespace, cost
/// pre-processing up to 0.3 s on the real corpus (1.7-1.8 s against 1.8-2.0 s in four alternated pairs) and 0.3-0.8 s
/// on the synthetic 100k (5.1-5.3 s against 5.6-5.9 s in three). The words counted are still those between
/// whitespace (<see cref="LanguageTally"/>): the same counts for every one of the real corpus's 21,213 abstracts
/// (checked against the split), so the same corpus.
/// </remarks>
public static class LanguageGuess
{
    private static readonly HashSet<string> English = new(StringComparer.OrdinalIgnoreCase)
    {
        "the", "of", "and", "to", "in", "is", "was", "were", "are", "for", "with", "that", "by", "from",
        "this", "these", "which", "we", "be", "been", "has", "have", "an", "as", "on", "at", "or", "not", "their", "it",
    };

    private static readonly HashSet<string> Other = new(StringComparer.OrdinalIgnoreCase)
    {
        "de", "la", "el", "los", "las", "del", "y", "que", "en", "por", "para", "con", "una", "un", "se", "es", "al",
        "le", "les", "des", "du", "et", "est", "une", "dans", "pour", "sur", "avec", "der", "die", "das", "und", "ist",
        "mit", "von", "zu", "den", "nicht", "em", "da", "do", "dos", "não", "uma", "com", "il", "di", "che", "della",
    };

    // No listed word is longer: most of an abstract's words are, and need no case-blind hash.
    private static readonly int LongestListed = English.Concat(Other).Max(w => w.Length);

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> EnglishWords = English.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> OtherWords = Other.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Which list, if any, a word is on (case-blind).</summary>
    internal static FunctionWord Of(ReadOnlySpan<char> word) =>
        word.Length > LongestListed ? FunctionWord.None
        : EnglishWords.Contains(word) ? FunctionWord.English
        : OtherWords.Contains(word) ? FunctionWord.Other
        : FunctionWord.None;
}

internal enum FunctionWord : byte { None, English, Other }

/// <summary>
/// A text's words, and how many of them are English function words and how many another language's, fed by the
/// tokenizer as it scans the text (only the tokenizer feeds it; callers read the counts).
/// </summary>
/// <remarks>
/// A word here is what lies between whitespace, as when the test split the text itself: it counts if anything in it
/// is not the punctuation the test ignores, and it is a function word if one listed word is all the rest of it. So
/// "SARS-CoV-2" is one word, not three, and "(the" is "the". Counted as the tokenizer's words instead, 6 of the real
/// corpus's 21,213 abstracts changed side, and with them the corpus, its clusters and its map.
/// </remarks>
public struct LanguageTally
{
    public int Words { get; private set; }
    public int English { get; private set; }
    public int Other { get; private set; }

    // The whitespace-separated word being read: how many words of the tokenizer and other characters it holds beside
    // the ignored punctuation, and the first one's kind.
    private int _parts;
    private FunctionWord _first;

    /// <summary>One of the tokenizer's words, and whether it is a function word.</summary>
    internal void Word(FunctionWord kind)
    {
        if (_parts++ == 0) _first = kind;
    }

    /// <summary>A character between the tokenizer's words.</summary>
    internal void Between(char c)
    {
        if (char.IsWhiteSpace(c)) End();
        else if (c is not (',' or '.' or ';' or ':' or '(' or ')' or '"' or '\'' or '[' or ']') && _parts++ == 0) _first = FunctionWord.None;
    }

    /// <summary>The end of the text (or of a whitespace-separated word).</summary>
    internal void End()
    {
        if (_parts == 0) return;
        Words++;
        if (_parts == 1 && _first == FunctionWord.English) English++;
        else if (_parts == 1 && _first == FunctionWord.Other) Other++;
        _parts = 0;
    }

    public readonly bool IsEnglish => Words >= 5 && English >= 0.08 * Words && English > 1.5 * Other;
}
