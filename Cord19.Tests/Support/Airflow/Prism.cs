using System.Diagnostics;
using System.Text.RegularExpressions;
using Cord19.Core.Airflow;

namespace Cord19.Tests.Support.Airflow;

/// <summary>
/// Stoplight Prism (npm, installed by ./test.sh under tools/) serving one of Airflow's official specs on a
/// loopback port: it rejects requests that break the spec and answers with the spec's shapes. Two changes to the
/// served copy, both about Prism rather than Airflow: v1's relative server "/api/v1" is moved into the paths
/// (Prism ignores a relative server URL), and v2's top-level security list, whose schemes the file never
/// defines (see SOURCES.md), is dropped so the operations' own bearer requirement applies.
/// </summary>
public sealed partial class Prism : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _folder;
    private readonly Queue<string> _output = new();

    private Prism(Process process, TempDirectory folder, Uri baseUrl)
    {
        _process = process;
        _folder = folder;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<Prism> StartAsync(AirflowApiVersion version)
    {
        var cli = Path.Combine(RunningApp.RepositoryRoot(), "tools", "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
        if (!File.Exists(cli))
            throw new InvalidOperationException($"{cli} is missing: run ./test.sh, which installs Prism with npm.");
        var spec = AirflowSpec.Load(version);
        var folder = new TempDirectory();
        var served = Path.Combine(folder.Path, Path.GetFileName(spec.File));
        await File.WriteAllTextAsync(served, ForPrism(await File.ReadAllTextAsync(spec.File), version));
        var port = LoopbackPort.Free();
        var process = new Process
        {
            StartInfo = new ProcessStartInfo("node", [cli, "mock", "-h", "127.0.0.1", "-p", port.ToString(), served])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        var prism = new Prism(process, folder, new Uri($"http://127.0.0.1:{port}/"));
        // Prism logs every request; read its output so a full pipe never stalls it, keeping the tail for errors.
        process.OutputDataReceived += (_, e) => prism.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => prism.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await LoopbackPort.WaitForListenerAsync(port, TimeSpan.FromSeconds(90), () => process.HasExited)) return prism;
        var tail = prism.Tail;
        await prism.DisposeAsync();
        throw new InvalidOperationException($"Prism did not start on {served}:\n{tail}");
    }

    public string Tail { get { lock (_output) return string.Join('\n', _output); } }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > 40) _output.Dequeue();
        }
    }

    internal static string ForPrism(string yaml, AirflowApiVersion version)
    {
        if (version == AirflowApiVersion.V1)
        {
            var lines = yaml.Split('\n');
            var inPaths = false;
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length > 0 && !char.IsWhiteSpace(lines[i][0])) inPaths = lines[i].StartsWith("paths:", StringComparison.Ordinal);
                if (inPaths && lines[i].StartsWith("  /", StringComparison.Ordinal)) lines[i] = "  /api/v1" + lines[i][2..];
            }
            return string.Join('\n', lines);
        }
        return TopLevelSecurity().Replace(yaml, "");
    }

    [GeneratedRegex(@"^security:\n(?:- .*\n?)+", RegexOptions.Multiline)]
    private static partial Regex TopLevelSecurity();

    public ValueTask DisposeAsync() => ServerProcess.StopAsync(_process, _folder);
}

/// <summary>Prism for both APIs, started together once for a test class (each takes seconds to read its spec).</summary>
public sealed class PrismFixture : IAsyncLifetime
{
    public Prism V1 { get; private set; } = null!;
    public Prism V2 { get; private set; } = null!;

    public Prism For(AirflowApiVersion version) => version == AirflowApiVersion.V1 ? V1 : V2;

    public async Task InitializeAsync()
    {
        var v1 = Prism.StartAsync(AirflowApiVersion.V1);
        var v2 = Prism.StartAsync(AirflowApiVersion.V2);
        (V1, V2) = (await v1, await v2);
    }

    public async Task DisposeAsync()
    {
        if (V1 is not null) await V1.DisposeAsync();
        if (V2 is not null) await V2.DisposeAsync();
    }
}
