namespace Cord19.Tests.Support;

/// <summary>The cord19-pipeline processes a test's panel started: their command line names the test's data directory.</summary>
public static class PipelinePrograms
{
    public static List<int> Running(string dataDirectory) => Directory.EnumerateDirectories("/proc")
        .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
        .Where(pid => pid > 0 && CommandLine(pid) is { } line && line.Contains("cord19-pipeline") && line.Contains(dataDirectory))
        .ToList();

    /// <summary>Those still running after <paramref name="grace"/> (empty as soon as none is).</summary>
    public static async Task<List<int>> StillRunningAfterAsync(string dataDirectory, TimeSpan grace)
    {
        var deadline = DateTime.UtcNow + grace;
        while (true)
        {
            var running = Running(dataDirectory);
            if (running.Count == 0 || DateTime.UtcNow > deadline) return running;
            await Task.Delay(100);
        }
    }

    private static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return null; // exited meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
