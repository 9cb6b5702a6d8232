using Cord19.Core.Results;
using Cord19.Tests.Support;
using Cord19.Web.Hosting;
using Cord19.Web.Model;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cord19.Tests.Hosting;

public sealed class PanelWarmUpTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/")]
    [InlineData("http://0.0.0.0:5000", "http://127.0.0.1:5000/")]
    [InlineData("http://localhost:5000", "http://127.0.0.1:5000/")]
    [InlineData("http://[::]:8080", "http://[::1]:8080/")]
    [InlineData("http://+:80", "http://127.0.0.1/")]
    [InlineData("https://localhost:5001|http://localhost:5000", "http://127.0.0.1:5000/")]
    [InlineData("https://0.0.0.0:5001", "https://127.0.0.1:5001/")]
    public void The_panel_asks_itself_over_loopback_preferring_plain_http(string listening, string expected) =>
        Assert.Equal(expected, PanelWarmUp.LoopbackAddress(listening.Split('|'))?.ToString());

    [Fact]
    public void Without_an_address_nothing_is_asked() => Assert.Null(PanelWarmUp.LoopbackAddress([]));

    [Fact]
    public async Task The_newest_run_s_map_is_read_before_anyone_asks_and_not_the_whole_run()
    {
        var run = SyntheticRun.Create("newest", 500);

        var (store, cache) = await WarmedUpThenFilesDeletedAsync(run);

        // Served from memory: the files are gone, as a fresh cache shows.
        Assert.Equal(DocumentMapPayload.Build(run).ToBinary(), await cache.GetMapBinaryAsync("newest", DocumentMapPayload.DefaultLimit));
        Assert.Equal("newest", (await cache.GetSummaryAsync("newest")).Manifest.RunId);
        await Assert.ThrowsAnyAsync<Exception>(() => new RunCache(store).GetSummaryAsync("newest"));
    }

    /// <summary>Publishes the run, warms a new cache up, then deletes the files: what the cache still serves was read ahead.</summary>
    private async Task<(ResultStore Store, RunCache Cache)> WarmedUpThenFilesDeletedAsync(RunResult run)
    {
        var folder = Path.Combine(_dir.Path, "results");
        var store = new ResultStore(new LocalFolderObjectStore(folder));
        await store.PublishRunAsync(run, default);
        var cache = new RunCache(store);
        using var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        using var warmUp = new PanelWarmUp(store, cache, new ServerWithoutAddresses(), new StartedLifetime(),
            services.GetRequiredService<IHttpClientFactory>(), NullLogger<PanelWarmUp>.Instance);

        await warmUp.StartAsync(default);
        await warmUp.ExecuteTask!;
        Directory.Delete(folder, recursive: true);
        return (store, cache);
    }

    public void Dispose() => _dir.Dispose();

    private sealed class ServerWithoutAddresses : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();
        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken ct) where TContext : notnull => Task.CompletedTask;
        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
        public void Dispose() { }
    }
}
