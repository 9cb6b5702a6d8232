using Cord19.Core.Results;
using Cord19.Web.Model;
using Cord19.Web.Security;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Cord19.Web.Hosting;

/// <summary>
/// Right after start, does once what the first visit would otherwise wait for: reads the newest run's document map
/// payload into the <see cref="RunCache"/> (its points alone, whatever the run's size), asks the panel for its Overview
/// and its map over loopback (signing in as a person would), which compiles the request path and the pages'
/// components, and fills the chart library's serializer.
/// </summary>
/// <remarks>
/// Measured with ./bench.sh 100000, the first visit to a 100,000-document map after start, from navigation to drawn:
/// 3.7 s without; 2.8 s reading the run ahead (the payload in at 1.5 s instead of 3.4 s); 2.0-2.5 s with the pages too
/// (the page answered at 0.2-0.4 s instead of 0.9-1.1 s); 1.5-1.75 s over six runs with the serializer as well. Nothing
/// here is needed: a store that cannot be read or a page that does not answer is left to the visit, which says what is wrong.
/// </remarks>
public sealed class PanelWarmUp(
    IResultStore store, RunCache runs, IServer server, IHostApplicationLifetime lifetime, IHttpClientFactory clients,
    ILogger<PanelWarmUp> logger, AccessToken? token = null) : BackgroundService
{
    public const string HttpClientName = "warm-up";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var newest = await NewestRunAsync(stoppingToken);
        // All at once: the run's map is read on one core while the pages compile on the other. No result page reads a
        // run whole any more (the map reads its points, Topics the run's topic-documents.json), so neither does this:
        // a run read holds about 450 bytes a document, from start, whether or not anyone opens a result page.
        await Task.WhenAll(
            newest is not null ? ReadMapAsync(newest.RunId) : Task.CompletedTask,
            RequestPagesAsync(["/", "/clusters"], stoppingToken),
            Task.Run(FillChartSerializer, stoppingToken));
    }

    private async Task<RunManifest?> NewestRunAsync(CancellationToken ct)
    {
        try
        {
            return (await store.ListRunsAsync(ct)).Runs.FirstOrDefault();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogInformation("The runs were not listed ahead ({Problem}); the result pages will say what is wrong.", ex.Message);
            return null;
        }
    }

    private async Task ReadMapAsync(string runId)
    {
        try
        {
            await runs.GetSummaryAsync(runId);
            await runs.GetMapBinaryAsync(runId, DocumentMapPayload.DefaultLimit);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogInformation("The newest run was not read ahead ({Problem}); its pages will say what is wrong.", ex.Message);
        }
    }

    private async Task RequestPagesAsync(string[] pages, CancellationToken ct)
    {
        try
        {
            await Started(ct);
            if (LoopbackAddress(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []) is not { } address) return;
            using var client = clients.CreateClient(HttpClientName);
            client.BaseAddress = address;
            if (token is not null)
            {
                // The way a person comes in: the token in the address, exchanged for a cookie (which is dropped here).
                using (await client.GetAsync($"/?token={Uri.EscapeDataString(token.Value)}", ct)) { }
                client.DefaultRequestHeaders.Authorization = new("Bearer", token.Value);
            }
            foreach (var page in pages)
                using (await client.GetAsync(page, ct)) { }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Stopped while asking: the server stops listening before this service's token is cancelled, and nothing went wrong.
            if (!lifetime.ApplicationStopping.IsCancellationRequested)
                logger.LogInformation("The pages were not compiled ahead ({Problem}); the first visit will do it.", ex.Message);
        }
    }

    /// <remarks>
    /// A failure here must not stop the panel: an exception leaving a hosted service stops the host.
    /// </remarks>
    private void FillChartSerializer()
    {
        try
        {
            // Serialising a map's options once fills Vizor's shared serializer's metadata for the chart types: 0.5 s on
            // this machine the first time, nothing after, and otherwise paid by the first page that draws a chart.
            ChartOptionsScript.Of(DocumentMapChart.Options("warm-up", []));
        }
        catch (Exception ex)
        {
            logger.LogInformation("The charts' serializer was not filled ahead ({Problem}); the first chart will do it.", ex.Message);
        }
    }

    private Task Started(CancellationToken ct)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(ct);
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
