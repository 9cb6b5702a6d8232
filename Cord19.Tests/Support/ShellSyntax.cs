using System.Diagnostics;

namespace Cord19.Tests.Support;

/// <summary>Parses a script with a real shell (<c>-n</c>: read, do not run), as the instance will read it.</summary>
public static class ShellSyntax
{
    /// <param name="shell">"/bin/bash" for user data (its shebang), "/bin/dash" for Run Command (Ubuntu's sh).</param>
    public static async Task AssertParsesAsync(string shell, string script)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("script.sh"), script);
        using var process = Process.Start(new ProcessStartInfo(shell, ["-n", dir.File("script.sh")]) { RedirectStandardError = true })!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{shell} -n: {errors}");
    }
}
