using Cord19.Core.Results;
using Cord19.Web.Model;
using Cord19.Web.Security;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Cord19.Web.Hosting;

/// <summary>
/// Right after start, does once what the first visit would otherwise wait for: reads the newest run into the
/// <see cref="RunCache"/> with its document map's payload, asks the panel for its Overview and its map over loopback
/// (signing in as a person would), which compiles the request path and the pages' components, and fills the chart
/// library's serializer.
/// </summary>
/// <remarks>
/// Measured with ./bench.sh 100000, the first visit to a 100,000-document map after start, from navigation to drawn:
/// 3.7 s without; 2.8 s reading the run ahead (the payload in at 1.5 s instead of 3.4 s); 2.0-2.5 s with the pages too
/// (the page answered at 0.2-0.4 s instead of 0.9-1.1 s); 1.5-1.75 s over six runs with the serializer as well. Nothing
/// here is needed: a store that cannot be read or a page that does not answer is left to the visit, which says what is wrong.
/// </remarks>
public sealed class PanelWarmUp(
    IResultStore store, RunCache runs, IServer server, IHostApplicationLifetime lifetime, IHttpClientFactory clients,
    IServiceProvider services, ILogger<PanelWarmUp> logger) : BackgroundService
{
    public const string HttpClientName = "warm-up";

    private static readonly string[] Pages = ["/", "/clusters"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // All at once: the run is read on one core while the pages compile on the other.
        await Task.WhenAll(ReadNewestRunAsync(stoppingToken), RequestPagesAsync(stoppingToken), Task.Run(ChartSerializerWarmUp.Run, stoppingToken));
    }

    private async Task ReadNewestRunAsync(CancellationToken ct)
    {
        try
        {
            if ((await store.ListRunsAsync(ct)).Runs.FirstOrDefault() is not { } newest) return;
            await runs.GetSummaryAsync(newest.RunId);
            await runs.GetMapBinaryAsync(newest.RunId, DocumentMapPayload.DefaultLimit);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogInformation("The newest run was not read ahead ({Problem}); its pages will say what is wrong.", ex.Message);
        }
    }

    private async Task RequestPagesAsync(CancellationToken ct)
    {
        try
        {
            await Started(ct);
            if (LoopbackAddress(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []) is not { } address) return;
            using var client = clients.CreateClient(HttpClientName);
            client.BaseAddress = address;
            if (services.GetService<AccessToken>() is { } token)
            {
                // The way a person comes in: the token in the address, exchanged for a cookie (which is dropped here).
                using (await client.GetAsync($"/?token={Uri.EscapeDataString(token.Value)}", ct)) { }
                client.DefaultRequestHeaders.Authorization = new("Bearer", token.Value);
            }
            foreach (var page in Pages)
                using (await client.GetAsync(page, ct)) { }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogInformation("The pages were not compiled ahead ({Problem}); the first visit will do it.", ex.Message);
        }
    }

    private Task Started(CancellationToken ct)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(ct);
    }

    /// <summary>
    /// Has Vizor serialise a map's options once, which fills its shared serializer's metadata for the chart types: 0.5 s
    /// on this machine the first time, nothing after, and otherwise paid by the first circuit that draws a chart (a
    /// prerendered page never serialises options).
    /// </summary>
    private sealed class ChartSerializerWarmUp : Vizor.ECharts.EChart
    {
        public static void Run()
        {
            var chart = new ChartSerializerWarmUp { Options = DocumentMapChart.Options("warm-up", []) };
            chart.jsonOpts = chart.CreateSerializerOptions();
            chart.Serialize(serializeMapOpts: false);
        }
    }

    /// <summary>Where this process listens, as a loopback address (plain HTTP preferred: nothing to verify).</summary>
    internal static Uri? LoopbackAddress(IEnumerable<string> addresses)
    {
        var chosen = addresses.OrderBy(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase)).FirstOrDefault();
        if (chosen is null || !Uri.TryCreate(chosen.Replace("://+", "://localhost").Replace("://*", "://localhost"), UriKind.Absolute, out var uri)) return null;
        var host = uri.Host is "0.0.0.0" or "localhost" ? "127.0.0.1" : uri.Host is "[::]" or "::" ? "[::1]" : uri.Host;
        return new UriBuilder(uri) { Host = host, Path = "/" }.Uri;
    }
}
