using System.Text.Json;
using Microsoft.Playwright;

namespace Cord19.Tests.Benchmarks;

/// <summary>
/// Where a visit's main-thread time goes, from Chromium's long-animation-frame entries (frames that took 50 ms or
/// more, with the scripts that ran in them): the figures behind docs/benchmarks.md's breakdowns of a map visit.
/// Opt-in (CORD19_BENCH_FRAMES=1), because the observer is itself a script in the measured page.
/// </summary>
internal static class LongFrames
{
    public static bool Requested => Environment.GetEnvironmentVariable("CORD19_BENCH_FRAMES") == "1";

    // Registered before the page's own scripts, and buffered, so that the frames before it ran are reported too.
    private const string Observer = """
        window.cord19LongFrames = [];
        new PerformanceObserver(list => window.cord19LongFrames.push(...list.getEntries().map(f => ({
            start: f.startTime, duration: f.duration, rendering: f.styleAndLayoutStart ? f.startTime + f.duration - f.styleAndLayoutStart : 0,
            scripts: f.scripts.map(s => ({ invoker: s.invokerType === 'classic-script' ? 'script' : s.invoker, source: (s.sourceURL || '').split('/').pop(), start: s.startTime, duration: s.duration })),
        })))).observe({ type: 'long-animation-frame', buffered: true });
        """;

    public static Task ObserveAsync(IPage page) => page.AddInitScriptAsync(Observer);

    /// <summary>One line a frame that started before <paramref name="untilMs"/>, its scripts of 10 ms or more indented under it.</summary>
    public static async Task<IReadOnlyList<string>> ReadAsync(IPage page, double untilMs)
    {
        var json = await page.EvaluateAsync<string>("() => JSON.stringify(window.cord19LongFrames || [])");
        var frames = JsonSerializer.Deserialize<Frame[]>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? [];
        var lines = new List<string>();
        foreach (var frame in frames.Where(f => f.Start <= untilMs).OrderBy(f => f.Start))
        {
            lines.Add($"frame at {frame.Start:0} ms, {frame.Duration:0} ms (style, layout and paint {frame.Rendering:0} ms)");
            foreach (var script in frame.Scripts.Where(s => s.Duration >= 10))
                lines.Add($"  {script.Invoker} in {script.Source} at {script.Start:0} ms, {script.Duration:0} ms");
        }
        return lines;
    }

    private sealed record Frame(double Start, double Duration, double Rendering, Script[] Scripts);

    private sealed record Script(string Invoker, string Source, double Start, double Duration);
}
