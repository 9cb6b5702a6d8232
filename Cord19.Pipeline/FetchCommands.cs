using Cord19.Core.Releases;

namespace Cord19.Pipeline;

/// <summary>
/// Getting the whole CORD-19: list AI2's releases and download one's metadata.csv, gzip-compressed, resumably
/// (Ctrl+C, a crash or a lost connection: the same command again goes on where it stopped). Anonymous: no AWS
/// account; AWS_ENDPOINT_URL_S3 points it at a mirror or a test server.
/// </summary>
internal static class FetchCommands
{
    public const string Usage = """
          releases                                    AI2's CORD-19 releases, newest first
          fetch --release <yyyy-mm-dd|final|https://…|s3://…> --out <metadata.csv.gz>
                                                      download a release's metadata.csv, or a mirror's
                                                      (plain or gzip), resumable and verified
              [--copy-to s3://bucket/key]             then put the verified file there (the AWS
                                                      instance's role; CORD19_S3_REGION, CORD19_S3_ENDPOINT)
        """;

    public static bool Handles(string command) => command is "releases" or "fetch";

    public static async Task<int> RunAsync(string[] args)
    {
        var releases = Cord19Releases.Anonymous();
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        if (args[0] == "releases")
        {
            if (args.Length > 1) throw new UsageException("'releases' takes no options.");
            var listing = await releases.ListOrDocumentedAsync(cancel.Token);
            if (!listing.FromBucket)
                Console.Error.WriteLine($"releases: s3://{Cord19Releases.Bucket} refused to list its folders; these are the releases allenai/cord19's README names (any other date can be fetched by name).");
            foreach (var date in listing.Dates) Console.WriteLine(date);
            return 0;
        }

        var options = new Dictionary<string, string>();
        for (var i = 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--") || i + 1 >= args.Length) throw new UsageException($"Option '{args[i]}' needs a value.");
            options[args[i][2..]] = args[i + 1];
        }
        foreach (var key in options.Keys.Except(["release", "out", "copy-to"])) throw new UsageException($"Unknown option '--{key}'.");
        var copyTo = options.GetValueOrDefault("copy-to");
        if (copyTo is not null && (!copyTo.StartsWith("s3://", StringComparison.Ordinal) || copyTo["s3://".Length..].Split('/', 2) is not [{ Length: > 0 }, { Length: > 0 }]))
            throw new UsageException($"--copy-to '{copyTo}' is not an S3 object: use s3://bucket/key.");
        var output = options.GetValueOrDefault("out") ?? throw new UsageException("'fetch' needs --out <metadata.csv.gz>.");
        var release = await releases.DescribeAsync(options.GetValueOrDefault("release", Cord19Releases.Final), cancel.Token);
        Console.Error.WriteLine($"fetch: {release.Key}, {release.Size / 1e6:N0} MB, to {output}");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var lastShown = -1L;
        var progress = new Progress<ReleaseDownload.Progress>(p =>
        {
            var step = p.Bytes * 20 / Math.Max(1, p.Total);
            if (step == lastShown) return;
            lastShown = step;
            var rate = p.Bytes / Math.Max(0.001, watch.Elapsed.TotalSeconds);
            Console.Error.WriteLine($"fetch: {p.Bytes * 100.0 / Math.Max(1, p.Total):0}% {p.Bytes / 1e6:N0} of {p.Total / 1e6:N0} MB, {rate / 1e6:0.0} MB/s, {(p.Total - p.Bytes) / Math.Max(1, rate):0} s left");
        });
        try
        {
            var outcome = await new ReleaseDownload(releases).RunAsync(release, output, progress, cancel.Token);
            if (copyTo is not null) await CopyAsync(outcome.File, copyTo, cancel.Token);
            Console.WriteLine($"fetch: release={outcome.Release} bytes={outcome.Bytes} resumed_from={outcome.ResumedFrom} verified={(outcome.Verified ? "true" : "false")}");
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"fetch: cancelled; run the same command again to resume.");
            return 130;
        }
    }

    /// <summary>
    /// Puts the verified file into the deployment's bucket with the AWS SDK's own credentials (the instance's role):
    /// one PUT, since a release's gzip file is well under S3's 5 GB limit for one.
    /// </summary>
    private static async Task CopyAsync(string file, string destination, CancellationToken ct)
    {
        // Straight from the file, not through the object store, which would build a second copy of the body first.
        var location = Program.S3At(destination);
        using var s3 = Cord19.Core.Results.S3ObjectStore.CreateClient(location.Endpoint, location.Region);
        try
        {
            await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = location.Bucket, Key = location.Prefix, FilePath = file, UseChunkEncoding = false }, ct);
        }
        catch (Amazon.S3.AmazonS3Exception ex)
        {
            throw new InvalidDataException($"The release was downloaded and verified ({file}) but could not be put into {destination} ({(int)ex.StatusCode} {ex.ErrorCode}): check that this machine's role may write to the bucket, then run the command again (the file is kept).");
        }
        Console.Error.WriteLine($"fetch: copied to {destination}");
    }
}
