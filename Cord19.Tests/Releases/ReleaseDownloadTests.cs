using System.IO.Compression;
using System.Text;
using Amazon.S3.Model;
using Cord19.Core.Configuration;
using Cord19.Core.Deployments;
using Cord19.Core.Live;
using Cord19.Core.Releases;
using Cord19.Core.Settings;
using Cord19.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace Cord19.Tests.Releases;

/// <summary>AI2's bucket layout on a real S3-compatible server (s3rver), read anonymously as the real bucket is.</summary>
public sealed class ReleaseDownloadTests : IAsyncLifetime
{
    private const string Final = "2022-06-02";
    private readonly TempDirectory _folder = new();
    private S3rver _server = null!;
    private Cord19Releases _releases = null!;
    private byte[] _metadata = [];
    private bool _serverStopped;

    public async Task InitializeAsync()
    {
        _server = await S3rver.StartAsync(Cord19Releases.Bucket);
        // About 3 MB of CSV: a dozen gzip members at the tests' 256 kB checkpoint.
        var csv = new StringBuilder("cord_uid,title,abstract,publish_time\n");
        for (var i = 0; csv.Length < 3_000_000; i++) csv.Append($"id{i},Paper {i},Abstract number {i} about coronavirus transmission and vaccines {i * 7919 % 10007},2021-03-{i % 28 + 1:00}\n");
        _metadata = Encoding.UTF8.GetBytes(csv.ToString());
        using var s3 = _server.CreateClient();
        foreach (var key in new[] { "2020-03-13/metadata.csv", "2021-05-03/metadata.csv", "historical_releases/cord-19_2020-03-13.tar.gz" })
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Cord19Releases.Bucket, Key = key, ContentBody = "cord_uid,title\n", UseChunkEncoding = false });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = Cord19Releases.Bucket, Key = $"{Final}/metadata.csv", InputStream = new MemoryStream(_metadata), UseChunkEncoding = false });
        _releases = Cord19Releases.Anonymous(_server.Endpoint);
    }

    public async Task DisposeAsync()
    {
        if (!_serverStopped) await _server.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Releases_are_the_dated_folders_newest_first()
    {
        Assert.Equal([Final, "2021-05-03", "2020-03-13"], await _releases.ListAsync(default));
        var final = await _releases.DescribeAsync(Cord19Releases.Final, default);
        Assert.Equal((Final, (long)_metadata.Length), (final.Name, final.Size));
    }

    [Fact]
    public async Task A_download_cancelled_at_half_resumes_to_an_identical_file()
    {
        var release = await _releases.DescribeAsync(Final, default);
        var output = Path.Combine(_folder.Path, "metadata.csv.gz");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CancelAtHalfAsync(release, output));
        Assert.True(File.Exists(output + ".partial"), "a cancel leaves the partial download to resume");
        var outcome = await Download().RunAsync(release, output, null, default);

        Assert.InRange(outcome.ResumedFrom, release.Size / 3, release.Size - 1);
        Assert.True(outcome.Verified);
        Assert.Equal(_metadata, Decompress(output));
        Assert.False(File.Exists(output + ".partial"));
    }

    [Fact]
    public async Task A_cancel_that_comes_with_the_last_bytes_finishes_on_the_next_run_without_asking_for_more()
    {
        var release = await _releases.DescribeAsync(Final, default);
        var output = Path.Combine(_folder.Path, "metadata.csv.gz");
        using (var cancel = new CancellationTokenSource())
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Download().RunAsync(release, output,
                new InlineProgress<ReleaseDownload.Progress>(p => { if (p.Bytes == p.Total) cancel.Cancel(); }), cancel.Token));

        // Found by CI: the next run asked for a range starting at the end, which S3 refuses (416).
        var outcome = await Download().RunAsync(release, output, null, default);

        Assert.Equal(release.Size, outcome.ResumedFrom);
        Assert.True(outcome.Verified);
        Assert.Equal(_metadata, Decompress(output));
    }

    [Fact]
    public async Task A_damaged_partial_download_is_refused_and_deleted()
    {
        var release = await _releases.DescribeAsync(Final, default);
        var output = Path.Combine(_folder.Path, "metadata.csv.gz");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CancelAtHalfAsync(release, output));
        var partial = await File.ReadAllBytesAsync(output + ".partial");
        partial[partial.Length / 3] ^= 0x5A;
        await File.WriteAllBytesAsync(output + ".partial", partial);

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => Download().RunAsync(release, output, null, default));

        // Found before anything more is asked for (the end's ETag check would also refuse it, after the whole rest).
        Assert.StartsWith($"The partial download {output}.partial is damaged", refused.Message);
        Assert.Contains("Run the download again", refused.Message);
        Assert.False(File.Exists(output + ".partial"));
    }

    /// <summary>
    /// A kill leaves the state file of the last checkpoint and, after it in the partial file, whatever was written since
    /// (perhaps half a gzip member): the next run cuts the file back to the checkpoint and goes on from there.
    /// </summary>
    [Fact]
    public async Task A_download_killed_mid_way_resumes_from_its_last_checkpoint()
    {
        var release = await _releases.DescribeAsync(Final, default);
        var output = Path.Combine(_folder.Path, "metadata.csv.gz");
        string? checkpoint = null;
        using (var cancel = new CancellationTokenSource())
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Download().RunAsync(release, output, new InlineProgress<ReleaseDownload.Progress>(p =>
            {
                if (p.Bytes < p.Total / 2 || checkpoint is not null) return;
                // What a kill here would leave: the last checkpoint's state, and the file as it goes on being written.
                checkpoint = File.Exists(output + ".partial.json") ? File.ReadAllText(output + ".partial.json") : "none";
                cancel.Cancel();
            }), cancel.Token));
        Assert.NotEqual("none", checkpoint);
        await File.WriteAllTextAsync(output + ".partial.json", checkpoint);
        // A whole member written after the checkpoint: read as part of the download, it would make the file hold more
        // than the state says, and the download be refused as damaged.
        await using (var partial = new FileStream(output + ".partial", FileMode.Append))
            await partial.WriteAsync(Compress(_metadata.AsSpan(0, 100_000).ToArray()));

        var outcome = await Download().RunAsync(release, output, null, default);

        Assert.Equal(System.Text.Json.JsonDocument.Parse(checkpoint!).RootElement.GetProperty("Source").GetInt64(), outcome.ResumedFrom);
        Assert.InRange(outcome.ResumedFrom, 1, release.Size - 1);
        Assert.Equal(_metadata, Decompress(output));
    }

    /// <summary>An object replaced since the partial download was made (a new ETag): its bytes are not mixed with the old ones.</summary>
    [Fact]
    public async Task A_partial_download_of_an_object_replaced_since_starts_again_from_the_beginning()
    {
        var output = Path.Combine(_folder.Path, "metadata.csv.gz");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await CancelAtHalfAsync(await _releases.DescribeAsync(Final, default), output));
        var replaced = _metadata.Select(b => b == (byte)'7' ? (byte)'8' : b).ToArray();
        using (var s3 = _server.CreateClient())
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Cord19Releases.Bucket, Key = $"{Final}/metadata.csv", InputStream = new MemoryStream(replaced), UseChunkEncoding = false });

        var outcome = await Download().RunAsync(await _releases.DescribeAsync(Final, default), output, null, default);

        Assert.Equal(0, outcome.ResumedFrom);
        Assert.Equal(replaced, Decompress(output));
    }

    /// <summary>The object changed between its description and its download: the bytes are whole but not the ones described.</summary>
    [Fact]
    public async Task A_download_that_does_not_match_its_ETag_is_refused_and_deleted()
    {
        var release = await _releases.DescribeAsync(Final, default);
        using (var s3 = _server.CreateClient())
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Cord19Releases.Bucket, Key = $"{Final}/metadata.csv", InputStream = new MemoryStream(_metadata.Reverse().ToArray()), UseChunkEncoding = false });
        var output = Path.Combine(_folder.Path, "metadata.csv.gz");

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => Download().RunAsync(release, output, null, default));

        Assert.Equal($"The downloaded {Final}/metadata.csv does not match its ETag (damaged in transit); the partial file was deleted. Run the download again.", refused.Message);
        Assert.False(File.Exists(output) || File.Exists(output + ".partial") || File.Exists(output + ".partial.json"));
    }

    [Fact]
    public async Task A_mirrors_gz_file_that_is_not_gzip_is_refused()
    {
        using (var s3 = _server.CreateClient())
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Cord19Releases.Bucket, Key = "mirror/metadata.csv.gz", InputStream = new MemoryStream(_metadata), UseChunkEncoding = false });
        var address = $"s3://{Cord19Releases.Bucket}/mirror/metadata.csv.gz";
        var release = await _releases.DescribeAsync(address, default);

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => Download().RunAsync(release, Path.Combine(_folder.Path, "mirror.csv.gz"), null, default));

        Assert.StartsWith($"{address} is not gzip-compressed, though its name or type says so", refused.Message);
    }

    /// <summary>
    /// Before, the state database out of reach when Settings was to take the file left the download "starting…" for ever:
    /// the exception ended the background task unseen.
    /// </summary>
    [Fact]
    public async Task A_download_that_Settings_cannot_take_ends_saying_why_and_names_the_verified_file()
    {
        var fetcher = Fetcher(new OutOfReachDatabase());

        Assert.True(fetcher.Start(Final));
        var ended = await EndOfAsync(fetcher);

        Assert.Equal(ReleaseFetcher.Phase.Done, ended.Phase);
        Assert.Equal(fetcher.FileFor(Final), ended.File);
        Assert.StartsWith($"Downloaded and verified, but Settings did not take it: {StateDatabaseFailure.OutOfReach} The file is {ended.File}", ended.Message);
        Assert.Equal(_metadata, Decompress(ended.File!));
    }

    private sealed class OutOfReachDatabase : IDbContextFactory<Cord19Db>
    {
        public Cord19Db CreateDbContext() => throw Unreachable();
        public Task<Cord19Db> CreateDbContextAsync(CancellationToken cancellationToken = default) => throw Unreachable();
        private static StateDatabaseOutOfReachException Unreachable() => new(new TimeoutException());
    }

    [Fact]
    public async Task A_connection_lost_mid_way_is_named_as_such_and_keeps_what_arrived()
    {
        // Large enough that the rest is not already in the socket's buffers when the server goes away.
        using (var s3 = _server.CreateClient())
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Cord19Releases.Bucket, Key = "2021-05-03/metadata.csv", InputStream = new MemoryStream(new byte[80_000_000]), UseChunkEncoding = false });
        var release = await _releases.DescribeAsync("2021-05-03", default);
        var output = Path.Combine(_folder.Path, "metadata.csv.gz");

        var lost = await Assert.ThrowsAsync<InvalidDataException>(() => Download().RunAsync(release, output,
            new InlineProgress<ReleaseDownload.Progress>(p =>
            {
                if (_serverStopped || p.Bytes < p.Total / 4) return;
                _serverStopped = true;
                _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }), default));

        Assert.Contains("connection to the release's bucket was lost", lost.Message);
        Assert.Contains("Run the download again", lost.Message);
        Assert.True(File.Exists(output + ".partial") && File.Exists(output + ".partial.json"), "what arrived is kept for the next run");
    }

    [Fact]
    public async Task A_source_that_goes_silent_is_named_after_the_silence_limit_and_keeps_what_arrived()
    {
        using (var s3 = _server.CreateClient())
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Cord19Releases.Bucket, Key = "mirror/metadata.csv", InputStream = new MemoryStream(new byte[40_000_000]), UseChunkEncoding = false });
        await using var relay = new SeverableTcpRelay("127.0.0.1", new Uri(_server.Endpoint).Port);
        var address = $"http://127.0.0.1:{relay.Port}/{Cord19Releases.Bucket}/mirror/metadata.csv";
        var release = await _releases.DescribeAsync(address, default);
        var output = Path.Combine(_folder.Path, "metadata.csv.gz");

        // The connection stays open and nothing more comes: the download waited for ever, its bar still.
        var silent = await Assert.ThrowsAsync<InvalidDataException>(() => new ReleaseDownload(_releases, checkpointBytes: 256 << 10) { SilenceLimit = TimeSpan.FromSeconds(1) }
            .RunAsync(release, output, new InlineProgress<ReleaseDownload.Progress>(p => { if (p.Bytes >= p.Total / 4) relay.Stall(); }), default))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.StartsWith($"Nothing came from {address} for 1 s after ", silent.Message);
        Assert.EndsWith("Run the download again: it resumes from there.", silent.Message);
        Assert.True(File.Exists(output + ".partial") && File.Exists(output + ".partial.json"), "what arrived is kept for the next run");
        relay.Mend();
        var outcome = await Download().RunAsync(release, output, null, default);
        Assert.InRange(outcome.ResumedFrom, release.Size / 4 - (1 << 20), release.Size - 1);
    }

    /// <summary>A source that takes the connection and never answers: the HTTP client gives up, and nobody cancelled.</summary>
    [Fact]
    public async Task A_source_that_never_answers_fails_the_download_rather_than_calling_it_cancelled()
    {
        await using var relay = new SeverableTcpRelay("127.0.0.1", new Uri(_server.Endpoint).Port);
        relay.Hold();
        using var impatient = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var fetcher = Fetcher(new OutOfReachDatabase(), Cord19Releases.Anonymous(_server.Endpoint, impatient));
        var address = $"http://127.0.0.1:{relay.Port}/{Cord19Releases.Bucket}/{Final}/metadata.csv";

        Assert.True(fetcher.Start(address));
        var ended = await EndOfAsync(fetcher);

        Assert.Equal(ReleaseFetcher.Phase.Failed, ended.Phase);
        Assert.Equal($"The source of {address} did not answer in time. Check the connection and start again: it resumes where it stopped.", ended.Message);
    }

    /// <summary>Settings failing on something other than the database's reach: the verified file is still named, the download still done.</summary>
    [Fact]
    public async Task A_download_that_Settings_fail_on_unexpectedly_still_ends_and_names_the_verified_file()
    {
        var fetcher = Fetcher(new BrokenDatabase());

        Assert.True(fetcher.Start(Final));
        var ended = await EndOfAsync(fetcher);

        Assert.Equal(ReleaseFetcher.Phase.Done, ended.Phase);
        Assert.Equal($"Downloaded and verified, but Settings did not take it: an unexpected error (InvalidOperationException); the server log has the details. " +
                     $"The file is {fetcher.FileFor(Final)}: save it as the metadata file in Settings.", ended.Message);
    }

    /// <summary>
    /// A data directory the panel may not write (the panel run as another user than the one who made it, say; here a
    /// directory where the partial file goes, which the system refuses the same way to root): named with its fix, where
    /// before it read as an unexpected error.
    /// </summary>
    [Fact]
    public async Task A_download_the_system_refuses_to_write_names_the_file_and_the_fix()
    {
        var fetcher = Fetcher(new OutOfReachDatabase());
        var partial = fetcher.FileFor(Final) + ".partial";
        Directory.CreateDirectory(partial);

        Assert.True(fetcher.Start(Final));
        var ended = await EndOfAsync(fetcher);

        Assert.Equal(ReleaseFetcher.Phase.Failed, ended.Phase);
        Assert.StartsWith($"The file could not be written (Access to the path '{partial}' is denied.)", ended.Message);
        Assert.EndsWith("check that the data directory is writable by the panel and its disk has room, then start again to resume.", ended.Message);
    }

    /// <summary>Any error nobody foresaw still ends the download (every open page showed it running for ever), with the fix.</summary>
    [Fact]
    public async Task A_download_that_fails_unexpectedly_ends_and_says_to_start_again()
    {
        using var faulty = new HttpClient(new FaultyHandler());
        var logger = new FakeLogger<ReleaseFetcher>();
        var fetcher = Fetcher(new OutOfReachDatabase(), Cord19Releases.Anonymous(_server.Endpoint, faulty), logger);

        Assert.True(fetcher.Start("https://mirror.example/metadata.csv"));
        var ended = await EndOfAsync(fetcher);

        Assert.Equal(ReleaseFetcher.Phase.Failed, ended.Phase);
        Assert.Equal("The download stopped on an unexpected error (NotSupportedException); the server log has the details. " +
                     "Start it again: it resumes where it stopped.", ended.Message);
        Assert.IsType<NotSupportedException>(Assert.Single(logger.Collector.GetSnapshot()).Exception);
    }

    private sealed class FaultyHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new NotSupportedException("a fault of the panel's own");
    }

    /// <summary>The panel's download, into this test's folder, with Settings kept in <paramref name="database"/>.</summary>
    private ReleaseFetcher Fetcher(IDbContextFactory<Cord19Db> database, Cord19Releases? releases = null, ILogger<ReleaseFetcher>? logger = null) => new(
        releases ?? _releases, new SettingsStore(database, new DeploymentFeed(), new Cord19Options()), new DataDirectory(_folder.Path), logger ?? NullLogger<ReleaseFetcher>.Instance);

    private static async Task<ReleaseFetcher.Status> EndOfAsync(ReleaseFetcher fetcher)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (fetcher.Latest.Phase == ReleaseFetcher.Phase.Downloading && deadline.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(20);
        return fetcher.Latest;
    }

    private sealed class BrokenDatabase : IDbContextFactory<Cord19Db>
    {
        public Cord19Db CreateDbContext() => throw new InvalidOperationException("a fault of the panel's own");
        public Task<Cord19Db> CreateDbContextAsync(CancellationToken cancellationToken = default) => throw new InvalidOperationException("a fault of the panel's own");
    }

    [Fact]
    public async Task Too_little_disk_space_is_refused_before_any_byte_is_written()
    {
        var release = await _releases.DescribeAsync(Final, default);
        var output = Path.Combine(_folder.Path, "metadata.csv.gz");

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => new ReleaseDownload(_releases, _ => 10_000_000).RunAsync(release, output, null, default));

        Assert.Contains("Not enough free space", refused.Message);
        Assert.Contains("0.01 GB free", refused.Message);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public async Task A_release_that_is_not_there_is_named_with_the_fix()
    {
        var missing = await Assert.ThrowsAsync<InvalidDataException>(() => _releases.DescribeAsync("2020-02-30", default));
        Assert.Contains("not a date", missing.Message);
        var absent = await Assert.ThrowsAsync<InvalidDataException>(() => _releases.DescribeAsync("2020-04-01", default));
        Assert.Contains("has no metadata.csv", absent.Message);
    }

    [Fact]
    public async Task The_program_lists_the_releases_and_fetches_the_final_one()
    {
        var endpoint = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_S3"] = _server.Endpoint };
        var output = Path.Combine(_folder.Path, "final.csv.gz");

        var listed = await Pipeline.PipelineProgramTests.RunWithAsync(endpoint, "releases");
        var fetched = await Pipeline.PipelineProgramTests.RunWithAsync(endpoint, "fetch", "--release", "final", "--out", output);

        Assert.Equal($"{Final}\n2021-05-03\n2020-03-13\n", listed.Output.ReplaceLineEndings("\n"));
        Assert.True(fetched.Exit == 0, fetched.Error);
        Assert.Equal($"fetch: release={Final} bytes={_metadata.Length} resumed_from=0 verified=true", fetched.Output.Trim());
        Assert.Contains("100%", fetched.Error);
        Assert.Equal(_metadata, Decompress(output));
    }

    /// <summary>Before, the program crashed with a stack trace (exit 134), which the panel's phase log showed the first line of.</summary>
    [Fact]
    public async Task The_program_refused_a_file_names_it_and_the_fix_as_bad_input()
    {
        var output = Path.Combine(_folder.Path, "final.csv.gz");
        Directory.CreateDirectory(output + ".partial");

        var fetched = await Pipeline.PipelineProgramTests.RunWithAsync(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_S3"] = _server.Endpoint },
            "fetch", "--release", "final", "--out", output);

        Assert.Equal(3, fetched.Exit);
        Assert.Equal($"error: Access to the path '{output}.partial' is denied. Check that this user may write there, or choose another path, then run the command again.",
            fetched.Error.Trim().Split('\n')[^1]);
    }

    [Fact]
    public async Task A_mirrors_plain_metadata_csv_is_fetched_over_http_and_stored_compressed()
    {
        var address = $"{_server.Endpoint}/{Cord19Releases.Bucket}/{Final}/metadata.csv";
        var release = await _releases.DescribeAsync(address, default);
        var output = Path.Combine(_folder.Path, "mirror.csv.gz");

        var outcome = await Download().RunAsync(release, output, null, default);

        Assert.Equal((address, (long)_metadata.Length, false), (outcome.Release, outcome.Bytes, release.Gzip));
        // An https mirror's ETag is that server's own business: the size is checked, not an MD5.
        Assert.False(outcome.Verified);
        Assert.Equal(_metadata, Decompress(output));
    }

    [Fact]
    public async Task A_mirrors_gzip_object_is_kept_as_it_comes_and_resumes_after_a_cancel()
    {
        var gzip = Compress(_metadata);
        using (var s3 = _server.CreateClient())
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Cord19Releases.Bucket, Key = "mirror/metadata.csv.gz", InputStream = new MemoryStream(gzip), UseChunkEncoding = false });
        var release = await _releases.DescribeAsync($"s3://{Cord19Releases.Bucket}/mirror/metadata.csv.gz", default);
        var output = Path.Combine(_folder.Path, "mirror.csv.gz");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CancelAtHalfAsync(release, output));
        var outcome = await Download().RunAsync(release, output, null, default);

        Assert.True(release.Gzip);
        Assert.InRange(outcome.ResumedFrom, 1, release.Size - 1);
        Assert.True(outcome.Verified);
        Assert.Equal(gzip, await File.ReadAllBytesAsync(output));
    }

    [Fact]
    public async Task A_mirror_that_is_not_there_or_not_an_address_is_named_with_the_fix()
    {
        var missing = await Assert.ThrowsAsync<InvalidDataException>(() => _releases.DescribeAsync($"s3://{Cord19Releases.Bucket}/nowhere/metadata.csv", default));
        Assert.Contains("is not there (404): check the address", missing.Message);
        var bucketOnly = await Assert.ThrowsAsync<InvalidDataException>(() => _releases.DescribeAsync("s3://some-bucket", default));
        Assert.Contains("names a bucket but no object", bucketOnly.Message);
    }

    [Fact]
    public async Task A_bucket_that_refuses_listing_offers_the_documented_releases()
    {
        await using var refusing = await Support.Airflow.FaultServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 403;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
        });

        var listing = await Cord19Releases.Anonymous(refusing.BaseUrl.ToString().TrimEnd('/')).ListOrDocumentedAsync(default);

        Assert.False(listing.FromBucket);
        Assert.Equal(Cord19Releases.Documented, listing.Dates);
        Assert.Equal("2022-06-02", listing.Dates[0]);
    }

    /// <summary>Gzip without compression: the object stays as large as the CSV, so a cancel at half comes mid-way.</summary>
    private static byte[] Compress(byte[] plain)
    {
        using var copy = new MemoryStream();
        using (var gzip = new GZipStream(copy, CompressionLevel.NoCompression)) gzip.Write(plain);
        return copy.ToArray();
    }

    [Fact]
    public async Task On_the_instance_the_program_puts_the_verified_release_into_the_deployments_bucket()
    {
        Dictionary<string, string> environment = new()
        {
            ["AWS_ENDPOINT_URL_S3"] = _server.Endpoint, ["CORD19_S3_ENDPOINT"] = _server.Endpoint,
            ["AWS_ACCESS_KEY_ID"] = "S3RVER", ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
        };
        var output = Path.Combine(_folder.Path, "metadata.csv.gz");

        var fetched = await Pipeline.PipelineProgramTests.RunWithAsync(environment, "fetch", "--release", Final, "--out", output,
            "--copy-to", $"s3://{S3rver.Bucket}/deploy/release-{Final}.csv.gz");

        Assert.True(fetched.Exit == 0, fetched.Error);
        Assert.Contains($"copied to s3://{S3rver.Bucket}/deploy/release-{Final}.csv.gz", fetched.Error);
        await using var copy = (await _server.OpenStore("deploy").OpenReadAsync($"release-{Final}.csv.gz", default))!;
        using var bytes = new MemoryStream();
        await copy.CopyToAsync(bytes);
        Assert.Equal(await File.ReadAllBytesAsync(output), bytes.ToArray());
    }

    private ReleaseDownload Download(int checkpointBytes = 256 << 10) => new(_releases, checkpointBytes: checkpointBytes);

    private async Task CancelAtHalfAsync(Cord19Releases.Release release, string output, int checkpointBytes = 256 << 10)
    {
        using var cancel = new CancellationTokenSource();
        await Download(checkpointBytes).RunAsync(release, output, new InlineProgress<ReleaseDownload.Progress>(p => { if (p.Bytes >= p.Total / 2) cancel.Cancel(); }), cancel.Token);
    }

    private static byte[] Decompress(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var copy = new MemoryStream();
        gzip.CopyTo(copy);
        return copy.ToArray();
    }
}
