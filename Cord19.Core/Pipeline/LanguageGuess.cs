namespace Cord19.Core.Pipeline;

/// <summary>
/// Tells English abstracts from others by their function words. No language-detection package is served
/// here, and abstracts are long enough for this to be reliable: English prose is about a third function
/// words, while Spanish, French, German or Portuguese abstracts share few of them.
/// </summary>
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

    public static bool IsEnglish(string text)
    {
        // Words between whitespace, stripped of punctuation, looked up without allocating a string each:
        // this runs on every abstract of the input.
        int english = 0, other = 0, words = 0;
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            rest = rest.TrimStart();
            var end = rest.IndexOfAny(Whitespace);
            var token = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[end..];
            var word = token.Trim(",.;:()\"'[]");
            if (word.IsEmpty) continue;
            words++;
            if (word.Length > LongestListed) continue;
            if (EnglishWords.Contains(word)) english++;
            else if (OtherWords.Contains(word)) other++;
        }
        if (words < 5) return false;
        return english >= 0.08 * words && english > 1.5 * other;
    }

    private static readonly System.Buffers.SearchValues<char> Whitespace = System.Buffers.SearchValues.Create(" \t\r\n\u00a0");
}
