using System.Diagnostics;
using Amazon.Runtime;
using Cord19.Core.Results;

namespace Cord19.Tests.Support;

/// <summary>
/// A real S3-compatible server (s3rver, from npm, installed by ./test.sh under tools/) on a loopback port,
/// with an empty bucket, for the S3 result store's tests.
/// </summary>
public sealed class S3rver : IAsyncDisposable
{
    public const string Bucket = "cord19-test";

    private readonly Process _process;
    private readonly TempDirectory _data;

    private S3rver(Process process, TempDirectory data, string endpoint)
    {
        _process = process;
        _data = data;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    /// <param name="buckets">More buckets than <see cref="Bucket"/>, empty.</param>
    public static async Task<S3rver> StartAsync(params string[] buckets)
    {
        // tools/s3rver.js starts s3rver's own command line, with its PUT made to answer only once the object is written.
        var tools = Path.Combine(RunningApp.RepositoryRoot(), "tools");
        var script = Path.Combine(tools, "s3rver.js");
        if (!File.Exists(Path.Combine(tools, "node_modules", "s3rver", "bin", "s3rver.js")))
            throw new InvalidOperationException($"s3rver is missing from {tools}/node_modules: run ./test.sh, which installs it with npm.");
        var data = new TempDirectory();
        var port = LoopbackPort.Free();
        var process = Process.Start(new ProcessStartInfo("node",
            [script, "-d", data.Path, "-a", "127.0.0.1", "-p", port.ToString(), "-s", .. new[] { Bucket }.Concat(buckets).SelectMany(b => new[] { "--configure-bucket", b })])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var server = new S3rver(process, data, $"http://127.0.0.1:{port}");
        if (await LoopbackPort.WaitForListenerAsync(port, TimeSpan.FromSeconds(10), () => process.HasExited)) return server;
        await server.DisposeAsync();
        throw new InvalidOperationException("s3rver did not start: " + await process.StandardError.ReadToEndAsync());
    }

    /// <summary>A client that may write, for putting what a test reads.</summary>
    public Amazon.S3.IAmazonS3 CreateClient() => S3ObjectStore.CreateClient(Endpoint, "us-east-2", new BasicAWSCredentials("S3RVER", "S3RVER"));

    /// <summary>An object store in the test bucket, under a prefix of its own.</summary>
    public IObjectStore OpenStore(string prefix) =>
        new S3ObjectStore(CreateClient(), Bucket, prefix);

    public ValueTask DisposeAsync() => ServerProcess.StopAsync(_process, _data);
}

/// <summary>One s3rver for all the tests of a class.</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public S3rver Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await S3rver.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
}
