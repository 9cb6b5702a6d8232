namespace Cord19.Core.Pipeline;

/// <summary>
/// Finds the fields the pipeline needs in a metadata.csv header, by name. Headers changed across CORD-19
/// releases (the first release had no cord_uid; 2022 added s2_id), so nothing is read by position.
/// </summary>
public sealed record MetadataColumns(
    string? CordUid, string? Sha, string? Title, string Abstract,
    string? PublishTime, string? Authors, string? Journal, string? Doi)
{
    /// <summary>The columns to fetch, for readers that select them by name.</summary>
    public IEnumerable<string> Present => new[] { CordUid, Sha, Title, Abstract, PublishTime, Authors, Journal, Doi }.OfType<string>().Distinct();

    /// <summary>
    /// One row as a paper. The id is cord_uid; releases without it fall back to the first sha (a row can list
    /// several), then the DOI, then the row number.
    /// </summary>
    /// <param name="valueOf">The row's value for a column name, null or empty when blank.</param>
    public PaperRecord Read(Func<string, string?> valueOf, long row)
    {
        string? Get(string? column) => column is null ? null : valueOf(column) is { Length: > 0 } value ? value : null;
        var id = Get(CordUid) ?? Get(Sha)?.Split(';')[0].Trim() ?? Get(Doi) ?? $"row-{row}";
        return new PaperRecord(id, Get(Title), Get(Abstract), Get(PublishTime), Get(Authors), Get(Journal), Get(Doi));
    }

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
            // How many columns, never what they say: the file may be anything (a path like /etc/passwd would otherwise be quoted).
            var found = header.Count == 0 ? "no header at all" : $"a first line of {header.Count} column{(header.Count == 1 ? "" : "s")}, none of them {missing}";
            throw new InvalidDataException(
                $"{source} is not CORD-19 metadata: it has {found}. Choose a CORD-19 metadata.csv or .csv.gz, whose header includes " +
                string.Join(", ", Expected) + ".");
        }

        return new(Find("cord_uid"), Find("sha"), title, abstractColumn, Find("publish_time"), Find("authors"), Find("journal"), Find("doi"));
    }
}
