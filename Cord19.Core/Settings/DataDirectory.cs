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

    /// <summary>The real CORD-19 sample shipped beside the app's binaries.</summary>
    public static string ShippedSample => Path.Combine(AppContext.BaseDirectory, "SampleData", "metadata_sample.csv.gz");
}
