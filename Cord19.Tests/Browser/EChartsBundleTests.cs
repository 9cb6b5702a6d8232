using System.Diagnostics;
using System.Text.RegularExpressions;
using Cord19.Tests.Support;

namespace Cord19.Tests.Browser;

/// <summary>The committed ECharts bundle is the one tools/echarts/build.sh makes from its pinned packages, with what the charts use.</summary>
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

    [Fact]
    public void Every_series_type_and_component_the_charts_use_is_in_the_bundle()
    {
        // ECharts throws for a series type left out of the bundle and silently drops a missing component, and the
        // browser tests draw only some of the charts: so the options' code is read for what it asks for.
        var root = RunningApp.RepositoryRoot();
        var entry = File.ReadAllText(Path.Combine(root, "tools", "echarts", "entry.mjs"));
        var code = string.Concat(Directory.EnumerateFiles(Path.Combine(root, "Cord19.Web"), "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs") || f.EndsWith(".razor")) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(File.ReadAllText));
        var series = Regex.Matches(code, @"new (\w+)Series\b").Select(m => m.Groups[1].Value + "Chart");
        var components = Regex.Matches(code, @"new (?:Inside|Slider)?(Grid|Legend|Tooltip|Toolbox|Title|DataZoom|VisualMap|MarkLine|MarkPoint|MarkArea|Brush|Polar|Geo|Graphic|AxisPointer)\b")
            .Select(m => m.Groups[1].Value + "Component");
        var needed = series.Concat(components).Distinct().Order().ToList();

        Assert.Contains("ScatterChart", needed);
        var missing = needed.Where(name => !Regex.IsMatch(entry, $@"\b{name}\b")).ToList();
        Assert.True(missing.Count == 0, $"tools/echarts/entry.mjs does not import {string.Join(", ", missing)}: add them, run tools/echarts/build.sh and commit the bundle.");
    }

    public void Dispose() => _dir.Dispose();
}
