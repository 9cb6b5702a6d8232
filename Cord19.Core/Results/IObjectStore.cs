namespace Cord19.Core.Results;

/// <summary>
/// Flat key/value storage for result files: a local folder now, an S3 bucket with the AWS target. Keys use
/// '/' separators. A write replaces the whole object or nothing, as S3's PUT does.
/// </summary>
public interface IObjectStore
{
    /// <summary>Where the objects live, for people: a folder path or an s3:// URL.</summary>
    string Location { get; }

    Task WriteAsync(string key, Func<Stream, Task> write, CancellationToken ct);

    /// <summary>The object's content, or null when there is no such key.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken ct) => OpenReadAsync(key, 0, null, ct);

    /// <summary>
    /// The object's content from byte <paramref name="offset"/>: the next <paramref name="length"/> bytes at least, or
    /// the rest when it is null; null when there is no such key. One line of a large file without the rest.
    /// </summary>
    Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken ct);

    /// <summary>Keys that start with <paramref name="prefix"/>.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken ct);

    Task DeletePrefixAsync(string prefix, CancellationToken ct);
}
