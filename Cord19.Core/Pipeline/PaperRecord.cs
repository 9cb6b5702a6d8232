namespace Cord19.Core.Pipeline;

/// <summary>One row of a CORD-19 metadata.csv, mapped by column name whatever the release.</summary>
public sealed record PaperRecord(
    string Id,
    string? Title,
    string? Abstract,
    string? PublishTime,
    string? Authors,
    string? Journal,
    string? Doi);
