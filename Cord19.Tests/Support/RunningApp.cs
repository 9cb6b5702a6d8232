using System.Diagnostics;
using System.Text;

namespace Cord19.Tests.Support;

/// <summary>
/// The built Cord19.Web program started as its own process on a free loopback port, as a user starts it,
/// with a fresh data directory. Kill it to simulate a crash.
/// </summary>
public sealed class RunningApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private RunningApp(Process process, string url, string dataDirectory)
    {
        _process = process;
        Url = url;
        DataDirectory = dataDirectory;
    }

    public string Url { get; }
    public string DataDirectory { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <param name="launcher">A command that starts the app within it (its arguments follow), e.g. in a mount namespace of its own.</param>
    public static async Task<RunningApp> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyList<string>? launcher = null)
    {
        var url = $"http://127.0.0.1:{LoopbackPort.Free()}";
        string[] command = [.. launcher ?? [], "dotnet", WebDll(), "--urls", url];
        var start = new ProcessStartInfo(command[0], command[1..])
        {
            WorkingDirectory = Path.Combine(RepositoryRoot(), "Cord19.Web"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["CORD19_DATA_DIR"] = dataDirectory;
        start.Environment[Cord19.Web.Security.AccessToken.EnvironmentVariable] = WebAppFactory.AccessToken;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production"; // what `dotnet run` gives users (launchSettings.json)
        // No test reaches the internet: PyPI is a port nothing listens on, so the panel says it could not ask (what it
        // does with PyPI's answers is tested at its seam, PyPiAirflowReleasesTests and the AWS target's tests).
        start.Environment[Cord19.Core.Targets.Aws.AwsTargetOptions.PackageIndexVariable] = $"http://127.0.0.1:{LoopbackPort.Free()}/";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        var process = Process.Start(start)!;
        var app = new RunningApp(process, url, dataDirectory);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = app.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                if ((await http.GetAsync($"{url}/api/phases")).IsSuccessStatusCode) return app;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        await app.DisposeAsync();
        throw new InvalidOperationException($"The app did not start at {url}:\n{app.Output}");
    }

    /// <summary>
    /// Starts the app with these arguments and environment (and no access token unless given), and waits up to a minute
    /// for it to stop by itself, as a start it refuses does.
    /// </summary>
    public static Task<(int ExitCode, string Output, string Errors)> RunToExitAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        DotnetProgram.RunToExitAsync(WebDll(), environment, TimeSpan.FromSeconds(60), arguments);

    private static string WebDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
        var dll = Path.Combine(RepositoryRoot(), "Cord19.Web", "bin", configuration, "net10.0", "Cord19.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the solution first: {dll} is missing.", dll);
    }

    /// <summary>Kills the app's process alone, as a crash does: a pipeline program it started is left to notice.</summary>
    public void Kill() => _process.Kill();

    /// <summary>An HTTP client that signs its requests with the access token, as a script would.</summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", WebAppFactory.AccessToken);
        return client;
    }

    /// <summary>Opens a page of the app in the browser, signing in through the token in the address first.</summary>
    public async Task<Microsoft.Playwright.IResponse?> OpenAsync(Microsoft.Playwright.IPage page, string path = "/")
    {
        var separator = path.Contains('?') ? '&' : '?';
        return await page.GotoAsync($"{Url}{path}{separator}token={WebAppFactory.AccessToken}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cord19.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cord19.sln not found above " + AppContext.BaseDirectory);
    }

}
