namespace Cord19.Tests.Support;

/// <summary>
/// Figures that tests measure (hardening counts, timings): written to the console and to
/// TestResults/figures.txt, which ./test.sh prints after the run.
/// </summary>
public static class Figures
{
    private static readonly Lock Gate = new();

    public static void Report(string line)
    {
        Console.WriteLine(line);
        var path = Path.Combine(RunningApp.RepositoryRoot(), "TestResults", "figures.txt");
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }
}
