using System.Runtime.CompilerServices;

namespace Cord19.Core.Results;

/// <summary>An <see cref="IObjectStore"/> over a folder. Writes go to a temporary file that is renamed into place.</summary>
public sealed class LocalFolderObjectStore(string root) : IObjectStore
{
    public string Location => root;

    public async Task WriteAsync(string key, Func<Stream, Task> write, CancellationToken ct)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(file);
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <remarks>The file from <paramref name="offset"/> to its end: a reader stops when it has what it wants.</remarks>
    public Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken ct)
    {
        var path = PathOf(key);
        Stream? stream = File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true) : null;
        if (stream is not null) stream.Position = offset;
        return Task.FromResult(stream);
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!Directory.Exists(root)) yield break;
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            if (file.EndsWith(".partial", StringComparison.Ordinal)) continue;
            var key = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal)) yield return key;
        }
        await Task.CompletedTask;
    }

    public Task DeletePrefixAsync(string prefix, CancellationToken ct)
    {
        var trimmed = prefix.TrimEnd('/');
        var folder = PathOf(trimmed);
        if (prefix.EndsWith('/') && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        else if (prefix.Length == 0 && Directory.Exists(root)) Directory.Delete(root, recursive: true);
        else if (File.Exists(folder)) File.Delete(folder);
        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        if (key.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(key))
            throw new ArgumentException($"Result key '{key}' must be a relative path without '..'.", nameof(key));
        return Path.Combine(root, key.Replace('/', Path.DirectorySeparatorChar));
    }
}
