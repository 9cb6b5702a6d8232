using System.Diagnostics;
using Cord19.Core.Results;
using Cord19.Tests.Support;
using Xunit.Abstractions;

namespace Cord19.Tests.Benchmarks;

/// <summary>
/// Not part of ./test.sh: run with ./bench.sh. Prints how long a document map of CORD19_BENCH_POINTS
/// points (default 100,000) takes from navigation to drawn in headless Chromium, three times.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class DocumentMapBenchmark(ITestOutputHelper output)
{
    private void Report(string line)
    {
        output.WriteLine(line);
        Console.WriteLine(line);
    }

    [Fact]
    public async Task Map_from_navigation_to_drawn()
    {
        var points = int.TryParse(Environment.GetEnvironmentVariable("CORD19_BENCH_POINTS"), out var n) ? n : 100_000;
        using var data = new TempDirectory();
        var store = new ResultStore(new LocalFolderObjectStore(Path.Combine(data.Path, "results")));
        await store.PublishRunAsync(SyntheticRun.Create("bench", points), default);
        for (var i = 1; i <= 2; i++)
        {
            var read = Stopwatch.StartNew();
            await store.LoadRunAsync("bench", default);
            Report($"result store: read a {points:N0}-document run in {read.Elapsed.TotalSeconds:0.00} s ({(i == 1 ? "cold" : "warm")})");
        }
        await using var app = await RunningApp.StartAsync(data.Path);
        var (playwright, browser) = await Support.Browser.LaunchAsync();
        try
        {
            var expected = Math.Min(points, 200_000);
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 950 } });
                var watch = Stopwatch.StartNew();
                await app.OpenAsync(page, $"/clusters?run=bench");
                await page.WaitForFunctionAsync("n => window.cord19ChartsDrawn && window.cord19ChartsDrawn['document-map'] === n", expected,
                    new() { Timeout = 120_000, PollingInterval = 20 });
                var payload = await page.EvaluateAsync<double[]>(
                    "() => { const e = performance.getEntriesByType('resource').find(r => r.name.includes('/map?')); return e ? [e.startTime, e.responseEnd, e.encodedBodySize] : [0, 0, 0]; }");
                var line = $"document map: {expected:N0} of {points:N0} points drawn in {watch.Elapsed.TotalSeconds:0.00} s " +
                           $"(payload requested at {payload[0] / 1000:0.00} s, received at {payload[1] / 1000:0.00} s, {payload[2] / 1e6:0.0} MB; " +
                           $"attempt {attempt}{(attempt == 1 ? ", cold server cache" : "")})";
                Report(line);
                await page.CloseAsync();
            }
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
