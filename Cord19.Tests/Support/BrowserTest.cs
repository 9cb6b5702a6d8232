using Cord19.Core.Results;
using Microsoft.Playwright;

namespace Cord19.Tests.Support;

/// <summary>A test class with the real app running as its own process and a headless Chromium.</summary>
public abstract class BrowserTest : IAsyncLifetime
{
    protected TempDirectory Data { get; } = new();
    protected RunningApp App { get; private set; } = null!;
    protected IBrowser Chromium => _chromium.Browser;
    private Browser.LentChromium _chromium = null!;

    /// <summary>Environment variables for the app, beyond the data directory and the access token.</summary>
    protected virtual IReadOnlyDictionary<string, string>? Environment => null;

    /// <summary>Runs before the app starts: write results into <see cref="Data"/> here.</summary>
    protected virtual Task ArrangeAsync() => Task.CompletedTask;

    /// <summary>Publishes a run where the app finds its results, as a finished phase would: call it from <see cref="ArrangeAsync"/>.</summary>
    protected Task PublishAsync(RunResult run) =>
        new ResultStore(new LocalFolderObjectStore(Path.Combine(Data.Path, "results"))).PublishRunAsync(run, default);

    public async Task InitializeAsync()
    {
        await ArrangeAsync();
        App = await RunningApp.StartAsync(Data.Path, Environment);
        _chromium = await Browser.BorrowAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await App.DisposeAsync();
        Data.Dispose();
    }
}
