namespace Cord19.Tests.Support;

/// <summary>A test class with the whole web app in memory and an HTTP client for it.</summary>
public abstract class ApiTest : IAsyncLifetime
{
    protected WebAppFactory App { get; } = new();
    protected HttpClient Http { get; private set; } = null!;

    /// <summary>Runs before the app starts: write files into <see cref="WebAppFactory.DataDirectory"/> here.</summary>
    protected virtual Task ArrangeAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await ArrangeAsync();
        Http = App.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
    }
}
