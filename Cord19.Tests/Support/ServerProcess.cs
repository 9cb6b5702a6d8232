using System.Diagnostics;

namespace Cord19.Tests.Support;

/// <summary>How the servers the tests start (s3rver, Prism) are stopped: the whole process tree, then their files.</summary>
public static class ServerProcess
{
    public static async ValueTask StopAsync(Process process, TempDirectory files)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        files.Dispose();
    }
}
