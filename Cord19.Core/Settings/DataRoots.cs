namespace Cord19.Core.Settings;

/// <summary>
/// CORD19_DATA_ROOTS: the folders (separated by ':') whose files Settings may name as input, e.g. the metadata file.
/// Unset, any readable file may be used (one person on their own machine); set — as docker-compose does — a path
/// such as /etc/passwd is refused before anything opens it. Paths are compared after resolving "..", and symbolic links.
/// </summary>
public static class DataRoots
{
    public const string EnvironmentVariable = "CORD19_DATA_ROOTS";

    public static IReadOnlyList<string> Parse(string? configured) =>
        (configured ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => Resolve(r).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar)
            .ToList();

    /// <summary>Null when <paramref name="path"/> may be used; otherwise the cause and the fix (naming the file, never its content).</summary>
    public static string? Problem(string path, IReadOnlyList<string> roots)
    {
        if (roots.Count == 0) return null;
        var full = Resolve(path);
        return roots.Any(root => full.StartsWith(root, StringComparison.Ordinal))
            ? null
            : $"Metadata file '{path}' is outside the folders this panel may read ({string.Join(", ", roots)}, from {EnvironmentVariable}): put the file there, or ask whoever runs the panel to add its folder.";
    }

    private static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }
}
