using System.Diagnostics;
using Cord19.Tests.Support;

namespace Cord19.Tests.Browser;

/// <summary>The committed ECharts bundle is the one tools/echarts/build.sh makes from its pinned packages.</summary>
public sealed class EChartsBundleTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task The_committed_bundle_is_what_the_build_script_makes()
    {
        var root = RunningApp.RepositoryRoot();
        if (!File.Exists(Path.Combine(root, "tools", "node_modules", ".bin", "esbuild")))
            throw new InvalidOperationException("tools/node_modules has no esbuild: run ./test.sh, which installs the tools with npm.");
        var built = _dir.File("echarts.panel.min.js");

        using var build = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "tools", "echarts", "build.sh"), built])
        {
            RedirectStandardError = true,
        })!;
        var errors = await build.StandardError.ReadToEndAsync();
        await build.WaitForExitAsync();

        Assert.True(build.ExitCode == 0, $"tools/echarts/build.sh failed: {errors}");
        var committed = await File.ReadAllBytesAsync(Path.Combine(root, "Cord19.Web", "wwwroot", "lib", "echarts", "echarts.panel.min.js"));
        var rebuilt = await File.ReadAllBytesAsync(built);
        Assert.True(committed.SequenceEqual(rebuilt),
            "Cord19.Web/wwwroot/lib/echarts/echarts.panel.min.js is not what tools/echarts/build.sh makes: run it and commit the result.");
    }

    public void Dispose() => _dir.Dispose();
}
