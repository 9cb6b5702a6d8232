namespace Cord19.Core.Settings;

/// <summary>
/// Where the app keeps its state and results: $CORD19_DATA_DIR, or ~/.local/share/cord19 (XDG) by default.
/// </summary>
public sealed record DataDirectory(string Root)
{
    public const string EnvironmentVariable = "CORD19_DATA_DIR";

    public string Database => Path.Combine(Root, "cord19.db");
    public string HangfireDatabase => Path.Combine(Root, "hangfire.db");
    public string Workspace => Path.Combine(Root, "workspace");
    public string Results => Path.Combine(Root, "results");

    /// <summary>The keys that sign sign-in cookies, readable by the panel's user alone.</summary>
    public string Keys => Path.Combine(Root, "keys");

    /// <summary>The given folder, or the default one when <paramref name="configured"/> is empty.</summary>
    public static DataDirectory From(string? configured)
    {
        var root = !string.IsNullOrWhiteSpace(configured)
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "cord19");
        return new DataDirectory(Path.GetFullPath(root));
    }

    public DataDirectory EnsureExists()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Results);
        return this;
    }

    /// <summary>
    /// Null when this process may write everything the panel keeps here; otherwise what it cannot write, and the fix.
    /// Checked at start: a folder another user owns (a volume an earlier, root-run image made) then stops the start
    /// with one line, instead of a stack trace from the first write.
    /// </summary>
    public string? WhyNotWritable()
    {
        var place = Root;
        try
        {
            EnsureExists();
            foreach (var folder in new[] { Root, Results, Keys, Workspace }.Where(Directory.Exists))
            {
                place = folder;
                using (new FileStream(Path.Combine(folder, $".write-check-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            }
            foreach (var file in new[] { Database, HangfireDatabase }.Where(File.Exists))
            {
                place = file;
                using (File.Open(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite)) { }
            }
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{EnvironmentVariable}: the panel, running as the user {Environment.UserName}, cannot write '{place}': {ex.Message.TrimEnd('.')}. " +
                   $"Give that user the data folder '{Root}' (the README's docker-compose section has the command for a volume an earlier image made), " +
                   $"or set {EnvironmentVariable} to a folder it may write.";
        }
    }

    /// <summary>
    /// Takes the data folder for this process alone, until the returned handle is disposed (the process's end releases
    /// it too): on SQLite, a second panel on the same folder would mark the first one's running phase interrupted at
    /// its start and run the same jobs. Null, with <paramref name="problem"/>, when another process has it.
    /// </summary>
    public IDisposable? TakeForOnePanel(out string? problem)
    {
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Linux and macOS, and a share mode on Windows.
            var handle = new FileStream(Path.Combine(Root, "panel.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            problem = null;
            return handle;
        }
        catch (IOException)
        {
            problem = $"{EnvironmentVariable}: another panel is already running on the data folder '{Root}'. Use that one, stop it, or give this " +
                      "one another data folder; panels that share their state need PostgreSQL (CORD19_POSTGRES).";
            return null;
        }
    }

    /// <summary>The real CORD-19 sample shipped beside the app's binaries.</summary>
    public static string ShippedSample => Path.Combine(AppContext.BaseDirectory, "SampleData", "metadata_sample.csv.gz");
}
