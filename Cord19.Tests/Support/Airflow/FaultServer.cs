using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using HttpResults = Microsoft.AspNetCore.Http.Results;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cord19.Tests.Support.Airflow;

/// <summary>
/// A real HTTP server on a loopback port that answers every request with what a test scripts: the failures a
/// real Airflow produces (refusals, HTML login pages, slowness) that a spec mock does not.
/// </summary>
public sealed class FaultServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FaultServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;
    /// <summary>Every request as "METHOD /path", in order (a client must not storm a failing Airflow).</summary>
    public List<string> Paths { get; } = [];

    /// <param name="host">127.0.0.2 for a server a browser takes for another site than the panel's 127.0.0.1.</param>
    public static async Task<FaultServer> StartAsync(RequestDelegate answer, string host = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{host}:0");
        var app = builder.Build();
        var server = new FaultServer(app);
        app.Run(async context =>
        {
            lock (server.Paths) server.Paths.Add($"{context.Request.Method} {context.Request.Path}");
            await answer(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Answers the version probes as the given API does, and everything else with <paramref name="answer"/>.</summary>
    public static Task<FaultServer> AirflowAsync(string api, RequestDelegate answer) => StartAsync(async context =>
    {
        if (context.Request.Path == $"/api/{api}/version")
            await HttpResults.Json(new { version = api == "v1" ? "2.10.5" : "3.1.0" }).ExecuteAsync(context);
        else if (context.Request.Path.Value!.EndsWith("/version", StringComparison.Ordinal))
            await HttpResults.Json(new { detail = "Not Found" }, statusCode: 404).ExecuteAsync(context);
        else
            await answer(context);
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
