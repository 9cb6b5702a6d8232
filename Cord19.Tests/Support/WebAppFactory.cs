using Cord19.Core.Settings;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cord19.Tests.Support;

/// <summary>The whole web app (real Hangfire server and SQLite) in memory, with its own data directory.</summary>
public sealed class WebAppFactory : WebApplicationFactory<Program>
{
    private readonly TempDirectory _data = new();

    public string DataDirectory => _data.Path;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting(Cord19.Core.Settings.DataDirectory.EnvironmentVariable, _data.Path);
        builder.UseEnvironment("Development");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}
