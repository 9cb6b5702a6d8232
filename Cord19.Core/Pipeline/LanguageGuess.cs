namespace Cord19.Core.Pipeline;

/// <summary>
/// Tells English abstracts from others by their function words. No language-detection package is served
/// here, and abstracts are long enough for this to be reliable: English prose is about a third function
/// words, while Spanish, French, German or Portuguese abstracts share few of them.
/// </summary>
public static class LanguageGuess
{
    private static readonly HashSet<string> English = new(StringComparer.Ordinal)
    {
        "the", "of", "and", "to", "in", "is", "was", "were", "are", "for", "with", "that", "by", "from",
        "this", "these", "which", "we", "be", "been", "has", "have", "an", "as", "on", "at", "or", "not", "their", "it",
    };

    private static readonly HashSet<string> Other = new(StringComparer.Ordinal)
    {
        "de", "la", "el", "los", "las", "del", "y", "que", "en", "por", "para", "con", "una", "un", "se", "es", "al",
        "le", "les", "des", "du", "et", "est", "une", "dans", "pour", "sur", "avec", "der", "die", "das", "und", "ist",
        "mit", "von", "zu", "den", "nicht", "em", "da", "do", "dos", "não", "uma", "com", "il", "di", "che", "della",
    };

    public static bool IsEnglish(string text)
    {
        int english = 0, other = 0, words = 0;
        foreach (var token in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var word = token.Trim(',', '.', ';', ':', '(', ')', '"', '\'', '[', ']').ToLowerInvariant();
            if (word.Length == 0) continue;
            words++;
            if (English.Contains(word)) english++;
            else if (Other.Contains(word)) other++;
        }
        if (words < 5) return false;
        return english >= 0.08 * words && english > 1.5 * other;
    }
}
