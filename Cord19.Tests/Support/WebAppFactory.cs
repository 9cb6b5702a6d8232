using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cord19.Tests.Support;

/// <summary>The whole web app (real Hangfire server and SQLite) in memory, with its own data directory.</summary>
/// <param name="postgres">A connection string to run on PostgreSQL (state and job queue); SQLite otherwise.</param>
/// <param name="settings">More configuration, as environment variables would give it.</param>
/// <param name="services">Replaces services at the app's seams (e.g. the AWS account) after the app registered its own.</param>
public sealed class WebAppFactory(string? postgres = null, IReadOnlyDictionary<string, string>? settings = null,
    Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    public const string AccessToken = "test-access-token-0123456789";

    private readonly TempDirectory _data = new();

    public string DataDirectory => _data.Path;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting(Cord19.Core.Settings.DataDirectory.EnvironmentVariable, _data.Path);
        builder.UseSetting(Cord19.Web.Security.AccessToken.EnvironmentVariable, AccessToken);
        if (postgres is not null) builder.UseSetting(Cord19.Core.Deployments.StateDatabase.EnvironmentVariable, postgres);
        // No test reaches the internet: PyPI is a port nothing listens on (as in RunningApp).
        builder.UseSetting(Cord19.Core.Targets.Aws.AwsTargetOptions.PackageIndexVariable, $"http://127.0.0.1:{LoopbackPort.Free()}/");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        builder.UseEnvironment("Production"); // what `dotnet run` gives users (launchSettings.json)
        if (services is not null) builder.ConfigureServices(services);
    }

    /// <summary>Clients act as a script with the access token; <see cref="CreateAnonymousClient"/> for one without.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new("Bearer", AccessToken);
    }

    /// <summary>
    /// Whether a browser cookie issued by this app still opens the API once the panel restarts with the same keys and
    /// another access token, as after a leaked token is changed. The restarted panel gets a copy of the keys in a data
    /// folder of its own: this one still runs, and a second panel may not start on its SQLite folder.
    /// </summary>
    public Task<HttpStatusCode> StatusAfterTokenChangeAsync(string cookie) => StatusAfterRestartAsync(cookie, "a-new-token-after-a-leak-0123456789");

    /// <summary>The same, restarted with <paramref name="token"/>: with this app's own token, the cookie still opens the API.</summary>
    public async Task<HttpStatusCode> StatusAfterRestartAsync(string cookie, string token)
    {
        using var copy = new TempDirectory();
        var keys = new Cord19.Core.Settings.DataDirectory(DataDirectory).Keys;
        Directory.CreateDirectory(copy.File("keys"));
        foreach (var key in Directory.GetFiles(keys)) File.Copy(key, Path.Combine(copy.File("keys"), Path.GetFileName(key)));
        await using var restarted = new WebAppFactory(settings: new Dictionary<string, string>
        {
            [Cord19.Core.Settings.DataDirectory.EnvironmentVariable] = copy.Path,
            [Cord19.Web.Security.AccessToken.EnvironmentVariable] = token,
        });
        using var later = restarted.CreateAnonymousClient();
        var stale = new HttpRequestMessage(HttpMethod.Get, "/api/phases");
        stale.Headers.Add("Cookie", cookie);
        return (await later.SendAsync(stale)).StatusCode;
    }

    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}
