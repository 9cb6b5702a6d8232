using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace Cord19.Core.Releases;

/// <summary>
/// Downloads a release's metadata.csv into a gzip file, resumably. The file is written as a run of gzip members,
/// each closed and flushed every <see cref="CheckpointBytes"/> (8 MB) of the source, with a small state file beside the
/// partial download saying how much of the source and of the file are safely written: after a cancel, a crash or
/// a lost connection the next run cuts the file back to that point and asks S3 for the rest (a ranged read).
/// At the end the size, and the ETag where it is a plain MD5, are checked; a file that does not match is deleted.
/// A source that is gzip already (a mirror's metadata.csv.gz) is stored as it comes, checkpointed the same way.
/// </summary>
/// <param name="freeSpace">Free bytes on the disk of a folder (the tests' seam; the drive's own figure otherwise).</param>
/// <param name="checkpointBytes">How much of the source each gzip member holds.</param>
public sealed class ReleaseDownload(Cord19Releases source, Func<string, long>? freeSpace = null, int checkpointBytes = ReleaseDownload.CheckpointBytes)
{
    public const int CheckpointBytes = 8 << 20;

    /// <summary>
    /// How long the source may send nothing before the download stops, keeping what arrived: a connection that stays open
    /// and silent (a stalled proxy, a server gone without closing) would otherwise hold the download for ever, its bar
    /// still, with nothing said. A minute: S3 and a mirror's CDN answer within seconds, on the slowest links too.
    /// </summary>
    public TimeSpan SilenceLimit { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>CSV text gzips to about a quarter; a third is asked for, to be safe.</summary>
    private const double CompressedShare = 1 / 3.0;

    public sealed record Progress(long Bytes, long Total);

    public sealed record Outcome(string Release, long Bytes, long ResumedFrom, bool Verified, string File);

    private sealed record State(string Release, string ETag, long Size, long Source, long Stored);

    public async Task<Outcome> RunAsync(Cord19Releases.Release release, string output, IProgress<Progress>? progress, CancellationToken ct)
    {
        output = Path.GetFullPath(output);
        var partial = output + ".partial";
        var statePath = partial + ".json";
        var state = await ReadStateAsync(statePath);
        // Another release, or the object changed since: start again.
        if (state is null || state.Release != release.Name || state.ETag != release.ETag || state.Size != release.Size || !File.Exists(partial))
            state = new State(release.Name, release.ETag, release.Size, 0, 0);
        RefuseWithoutRoom(output, release.Size - state.Source, release.Gzip ? 1.0 : CompressedShare);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);

        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var resumedFrom = state.Source;
        await using (var file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            file.SetLength(state.Stored);
            if (state.Source > 0 && await HashWrittenAsync(file, md5, release.Gzip, ct) != state.Source)
                throw Refuse(partial, statePath, $"The partial download {partial} is damaged (it does not hold the {state.Source:N0} bytes its state file records)");
            file.Position = state.Stored;
            // A cancel that came with the last bytes leaves nothing to ask for (a range from the end is refused, 416).
            await using var body = state.Source < release.Size ? await source.OpenAsync(release, state.Source, ct) : Stream.Null;
            var buffer = new byte[1 << 20];
            var member = NewMember(file, release);
            long sinceCheckpoint = 0;
            try
            {
                int read;
                while ((read = await ReadAsync(body, buffer, state.Source, release, SilenceLimit, ct)) > 0)
                {
                    await member.WriteAsync(buffer.AsMemory(0, read), ct);
                    md5.AppendData(buffer, 0, read);
                    state = state with { Source = state.Source + read };
                    sinceCheckpoint += read;
                    if (sinceCheckpoint >= checkpointBytes)
                    {
                        member = await CheckpointAsync(member, file, statePath, state, release);
                        state = state with { Stored = file.Length };
                        sinceCheckpoint = 0;
                    }
                    progress?.Report(new Progress(state.Source, release.Size));
                }
            }
            finally
            {
                // Whatever arrived is kept: a cancel or a lost connection leaves a file the next run resumes.
                if (member != file) await member.DisposeAsync();
                await file.FlushAsync(CancellationToken.None);
                file.Flush(flushToDisk: true);
                await WriteStateAsync(statePath, state with { Stored = file.Length });
            }
        }

        if (state.Source != release.Size)
            throw Refuse(partial, statePath, $"{release.Key} ended after {state.Source:N0} of its {release.Size:N0} bytes");
        if (release.Gzip && !await StartsLikeGzipAsync(partial))
            throw Refuse(partial, statePath, $"{release.Key} is not gzip-compressed, though its name or type says so");
        var plainMd5 = release.S3ETag && release.ETag.Length == 32 && release.ETag.All(Uri.IsHexDigit);
        if (plainMd5 && !Convert.ToHexStringLower(md5.GetHashAndReset()).Equals(release.ETag, StringComparison.OrdinalIgnoreCase))
            throw Refuse(partial, statePath, $"The downloaded {release.Key} does not match its ETag (damaged in transit)");
        File.Move(partial, output, overwrite: true);
        File.Delete(statePath);
        return new Outcome(release.Name, release.Size, resumedFrom, plainMd5, output);
    }

    /// <summary>
    /// The next bytes of the body. A connection lost mid-way surfaces as an IOException, which would read as the disk
    /// failing, and one silent past <paramref name="silenceLimit"/> as a cancel nobody asked for: each is named for what
    /// it is, and the finally block above keeps what arrived for the next run.
    /// </summary>
    private static async Task<int> ReadAsync(Stream body, byte[] buffer, long received, Cord19Releases.Release release, TimeSpan silenceLimit, CancellationToken ct)
    {
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(ct);
        silence.CancelAfter(silenceLimit);
        try
        {
            return await body.ReadAsync(buffer, silence.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new InvalidDataException(
                $"Nothing came from {SourceOf(release)} for {silenceLimit.TotalSeconds:0} s after {received:N0} of {release.Size:N0} bytes. Run the download again: it resumes from there.");
        }
        catch (IOException)
        {
            throw new InvalidDataException(
                $"The connection to {SourceOf(release)} was lost after {received:N0} of {release.Size:N0} bytes. Run the download again: it resumes from there.");
        }
    }

    private static string SourceOf(Cord19Releases.Release release) => release.Address is null ? "the release's bucket" : release.Key;

    /// <summary>Where the source's bytes go: a new gzip member of the file, or the file itself when the source is gzip already.</summary>
    private static Stream NewMember(FileStream file, Cord19Releases.Release release) =>
        release.Gzip ? file : new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);

    private static async Task<Stream> CheckpointAsync(Stream member, FileStream file, string statePath, State state, Cord19Releases.Release release)
    {
        if (member != file) await member.DisposeAsync();
        await file.FlushAsync();
        file.Flush(flushToDisk: true);
        await WriteStateAsync(statePath, state with { Stored = file.Length });
        return NewMember(file, release);
    }

    private static async Task<bool> StartsLikeGzipAsync(string path)
    {
        await using var file = File.OpenRead(path);
        var magic = new byte[2];
        return await file.ReadAtLeastAsync(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>Feeds what the partial file holds to the hash again (an MD5 cannot be saved half-way); returns its length.</summary>
    private static async Task<long> HashWrittenAsync(FileStream file, IncrementalHash md5, bool storedAsIs, CancellationToken ct)
    {
        file.Position = 0;
        try
        {
            await using var gzip = storedAsIs ? null : new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
            var source = (Stream?)gzip ?? file;
            var buffer = new byte[1 << 20];
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                md5.AppendData(buffer, 0, read);
                total += read;
            }
            return total;
        }
        catch (InvalidDataException)
        {
            return -1;
        }
    }

    private void RefuseWithoutRoom(string output, long remaining, double storedShare)
    {
        var directory = Path.GetDirectoryName(output)!;
        var probe = Directory.Exists(directory) ? directory : Path.GetPathRoot(output)!;
        var free = (freeSpace ?? (path => new DriveInfo(path).AvailableFreeSpace))(probe);
        var needed = (long)(remaining * storedShare) + (64L << 20);
        if (free < needed)
            throw new InvalidDataException(
                $"Not enough free space for the download: it needs about {Gigabytes(needed)} ({Gigabytes(remaining)} left to download, stored gzip-compressed) " +
                $"and {probe} has {Gigabytes(free)} free. Free some space or choose another --out.");
    }

    private static string Gigabytes(long bytes) => $"{bytes / 1e9:0.00} GB";

    private static InvalidDataException Refuse(string partial, string statePath, string cause)
    {
        File.Delete(partial);
        File.Delete(statePath);
        return new InvalidDataException($"{cause}; the partial file was deleted. Run the download again.");
    }

    private static async Task<State?> ReadStateAsync(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<State>(await File.ReadAllTextAsync(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task WriteStateAsync(string path, State state)
    {
        // Written beside and renamed over, so a crash never leaves half a state file.
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(state));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
