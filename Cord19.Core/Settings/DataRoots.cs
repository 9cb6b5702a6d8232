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

    /// <summary>A chain of links longer than this is a loop (Linux gives up at 40 too).</summary>
    private const int MaxLinks = 40;

    /// <summary>
    /// The path with every symbolic link along it resolved, and each ".." taken after the links before it, as the system
    /// does when it opens the file: realpath(3), in .NET's portable calls. Resolving the last name alone (after a lexical
    /// "..") let a folder link inside a root reach out of it, and refused every file of a root that is itself a link
    /// (/data → /mnt/volume).
    /// </summary>
    private static string Resolve(string path, int links = 0)
    {
        var absolute = Path.IsPathRooted(path) ? path : Path.Combine(Environment.CurrentDirectory, path);
        var root = Path.GetPathRoot(absolute) ?? "";
        var resolved = root;
        foreach (var name in absolute[root.Length..].Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (name == ".") continue;
            // The parent of what the links led to, not of the name as written: root/link/../x is x beside the link's target.
            if (name == "..") { resolved = Path.GetDirectoryName(resolved) ?? root; continue; }
            var next = Path.Combine(resolved, name);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                target = null; // unreadable: compared as written
            }
            resolved = target is null || links >= MaxLinks ? next
                : Resolve(Path.IsPathRooted(target) ? target : Path.Combine(resolved, target), links + 1);
        }
        return resolved;
    }

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];
}
