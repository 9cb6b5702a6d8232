namespace Cord19.Web.Model;

/// <summary>
/// The titles of the documents a map shows, for its search: read apart from the run's other fields, which the map page
/// does not need (a million documents' whole read took seconds and 0.6 GB; their map's 200,000 titles are a fraction).
/// </summary>
/// <param name="positions">The documents shown (<see cref="DocumentMapPayload.Sample"/>), ascending, or null for all.</param>
/// <param name="titles">Their titles, in that order.</param>
public sealed class DocumentMapTitles(int[]? positions, IReadOnlyList<string?> titles)
{
    /// <summary>The title of the run's document <paramref name="document"/>; null when it has none or is not shown.</summary>
    public string? Of(int document)
    {
        var at = positions is null ? document : Array.BinarySearch(positions, document);
        return at >= 0 && at < titles.Count ? titles[at] : null;
    }
}
