namespace Cord19.Core.Pipeline;

/// <summary>
/// Finds the fields the pipeline needs in a metadata.csv header, by name. Headers changed across CORD-19
/// releases (the first release had no cord_uid; 2022 added s2_id), so nothing is read by position.
/// </summary>
public sealed record MetadataColumns(
    string? CordUid, string? Sha, string? Title, string Abstract,
    string? PublishTime, string? Authors, string? Journal, string? Doi)
{
    public static readonly string[] Expected = ["cord_uid", "sha", "title", "abstract", "publish_time", "authors", "journal", "doi"];

    /// <summary>Maps a header; throws <see cref="InvalidDataException"/> naming what is missing when the file is not CORD-19 metadata.</summary>
    public static MetadataColumns Map(IReadOnlyList<string> header, string source)
    {
        string? Find(string name) => header.FirstOrDefault(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));

        var abstractColumn = Find("abstract");
        var title = Find("title");
        if (abstractColumn is null || title is null)
        {
            var missing = string.Join(" and ", new[] { title is null ? "'title'" : null, abstractColumn is null ? "'abstract'" : null }.OfType<string>());
            var found = header.Count == 0 ? "no columns" : string.Join(", ", header.Take(12).Select(h => $"'{h}'")) + (header.Count > 12 ? ", …" : "");
            throw new InvalidDataException(
                $"{source} has no {missing} column (found {found}). Choose a CORD-19 metadata.csv, whose header includes " +
                string.Join(", ", Expected) + ".");
        }

        return new(Find("cord_uid"), Find("sha"), title, abstractColumn, Find("publish_time"), Find("authors"), Find("journal"), Find("doi"));
    }
}
