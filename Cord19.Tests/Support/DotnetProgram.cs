using System.Diagnostics;

namespace Cord19.Tests.Support;

/// <summary>A program of this solution, run with <c>dotnet</c> to its end, as a person runs it from a shell.</summary>
public static class DotnetProgram
{
    /// <summary>
    /// Its exit code and what it wrote. One that has not ended within <paramref name="limit"/> is killed, and the test
    /// fails saying so (rather than leaving it running).
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunToExitAsync(
        string dll, IReadOnlyDictionary<string, string> environment, TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [dll, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync(new CancellationTokenSource(limit).Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(dll)} {string.Join(' ', arguments)} had not ended after {limit.TotalSeconds:0} s.");
        }
        return (process.ExitCode, await output, await errors);
    }
}
