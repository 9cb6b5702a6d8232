using System.Text.RegularExpressions;

namespace Cord19.Core.Pipeline;

/// <summary>
/// Removes what PDF parsing left in CORD-19 abstracts: bioRxiv/medRxiv licence lines, word counts, line
/// numbers and a leading "Abstract" label, so that they do not become the top terms of a cluster.
/// </summary>
public static partial class AbstractCleaner
{
    public static string Clean(string text)
    {
        var s = Boilerplate().Replace(text, " ");
        s = WordCount().Replace(s, " ");
        s = LeadingLabel().Replace(s, "");
        s = Whitespace().Replace(s, " ");
        return s.Trim();
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
