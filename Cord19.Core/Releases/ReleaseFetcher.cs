using Cord19.Core.Live;
using Cord19.Core.Settings;
using Microsoft.Extensions.Logging;

namespace Cord19.Core.Releases;

/// <summary>
/// The panel's one CORD-19 download at a time: started from Settings, followed live by every open page, cancellable,
/// resumed by starting it again; when it is done, the file becomes the metadata file in Settings.
/// </summary>
public sealed class ReleaseFetcher(Cord19Releases releases, SettingsStore settings, DataDirectory data, ILogger<ReleaseFetcher> logger)
{
    public enum Phase { Idle, Downloading, Done, Failed, Cancelled }

    public sealed record Status(Phase Phase, string? Release, long Bytes, long Total, double BytesPerSecond, string? Message, string? File)
    {
        public static readonly Status Idle = new(Phase.Idle, null, 0, 0, 0, null, null);
        public double Share => Total == 0 ? 0 : (double)Bytes / Total;
        public TimeSpan? Left => BytesPerSecond > 0 ? TimeSpan.FromSeconds((Total - Bytes) / BytesPerSecond) : null;
    }

    private readonly Broadcast<Status> _feed = new(perSubscriberCapacity: 8);
    private readonly Lock _gate = new();
    private CancellationTokenSource? _running;

    public Status Latest { get; private set; } = Status.Idle;

    public IAsyncEnumerable<Status> WatchAsync(CancellationToken ct) => _feed.WatchAsync(ct);

    private Cord19Releases.Listing? _listed;

    /// <summary>The release dates, asked of the bucket once per app: the releases ended in 2022 and do not change.</summary>
    public async Task<Cord19Releases.Listing> ListAsync(CancellationToken ct)
    {
        if (_listed is { FromBucket: true, Dates.Count: > 0 } listed) return listed;
        return _listed = await releases.ListOrDocumentedAsync(ct);
    }

    public Task<Cord19Releases.Release> DescribeAsync(string date, CancellationToken ct) => releases.DescribeAsync(date, ct);

    /// <summary>Where a release is kept: under the data directory, one file a release or mirror, so a second start resumes it.</summary>
    public string FileFor(string release) =>
        Path.Combine(data.Root, "cord19", $"metadata-{MirrorAddress.FileStem(release)}.csv.gz");

    /// <summary>Starts downloading <paramref name="date"/> (or a mirror's address); false when a download is already under way.</summary>
    public bool Start(string date)
    {
        CancellationTokenSource cancel;
        lock (_gate)
        {
            if (_running is not null) return false;
            _running = cancel = new CancellationTokenSource();
        }
        Publish(new Status(Phase.Downloading, date, 0, 0, 0, null, null));
        // Not the click's context: the download outlives the click, and its last write (Settings) must not give up as soon
        // as the person who clicked would be told (StateDatabasePatience).
        using (ExecutionContext.SuppressFlow()) _ = Task.Run(() => RunAsync(date, cancel));
        return true;
    }

    public void Cancel()
    {
        lock (_gate) _running?.Cancel();
    }

    private async Task RunAsync(string date, CancellationTokenSource cancel)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var release = await releases.DescribeAsync(date, cancel.Token);
            var lastPublished = TimeSpan.Zero;
            long resumedFrom = -1;
            var progress = new InlineProgress<ReleaseDownload.Progress>(p =>
            {
                if (resumedFrom < 0) resumedFrom = p.Bytes;
                // A few updates a second are enough for a progress bar, whatever the connection's speed.
                if (watch.Elapsed - lastPublished < TimeSpan.FromMilliseconds(100) && p.Bytes < p.Total) return;
                lastPublished = watch.Elapsed;
                var rate = (p.Bytes - resumedFrom) / Math.Max(0.001, watch.Elapsed.TotalSeconds);
                Publish(new Status(Phase.Downloading, release.Name, p.Bytes, p.Total, rate, null, null));
            });
            var outcome = await new ReleaseDownload(releases).RunAsync(release, FileFor(release.Name), progress, cancel.Token);
            string? notTaken;
            try
            {
                var current = await settings.GetStoredAsync(CancellationToken.None);
                var problems = await settings.SaveAsync(current with { MetadataPath = outcome.File }, CancellationToken.None);
                notTaken = problems.Count == 0 ? null : string.Join(" ", problems.Select(p => p.Message));
            }
            catch (Cord19Exception ex)
            {
                // The state database out of reach, say: the verified file is kept, and named so that it can be set by hand.
                notTaken = $"{ex.Message} The file is {outcome.File}: once that is fixed, save it as the metadata file in Settings.";
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "The downloaded CORD-19 release {File} could not be saved in Settings.", outcome.File);
                notTaken = $"an unexpected error ({ex.GetType().Name}); the server log has the details. The file is {outcome.File}: save it as the metadata file in Settings.";
            }
            // Done either way: the file is whole, and an open Settings page puts it in its form, to be saved once the cause is fixed.
            Publish(new Status(Phase.Done, release.Name, outcome.Bytes, outcome.Bytes, 0,
                notTaken is null ? $"Release {release.Name} downloaded and verified: it is now the metadata file." : $"Downloaded and verified, but Settings did not take it: {notTaken}",
                outcome.File));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Publish(Latest with { Phase = Phase.Cancelled, BytesPerSecond = 0, Message = "Cancelled: start it again to resume where it stopped." });
        }
        catch (OperationCanceledException)
        {
            // Nobody cancelled: the HTTP client's own wait for an answer (100 s) ran out.
            Publish(Latest with { Phase = Phase.Failed, BytesPerSecond = 0,
                Message = $"The source of {date} did not answer in time. Check the connection and start again: it resumes where it stopped." });
        }
        catch (InvalidDataException ex)
        {
            Publish(Latest with { Phase = Phase.Failed, BytesPerSecond = 0, Message = ex.Message });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The system refuses a file it may not write with an UnauthorizedAccessException, not an IOException.
            Publish(Latest with { Phase = Phase.Failed, BytesPerSecond = 0,
                Message = $"The file could not be written ({ex.Message}): check that the data directory is writable by the panel and its disk has room, then start again to resume." });
        }
        catch (Exception ex)
        {
            // Said, or every open page would show the download running for ever.
            logger.LogError(ex, "The CORD-19 download of {Release} failed unexpectedly.", date);
            Publish(Latest with { Phase = Phase.Failed, BytesPerSecond = 0,
                Message = $"The download stopped on an unexpected error ({ex.GetType().Name}); the server log has the details. Start it again: it resumes where it stopped." });
        }
        finally
        {
            lock (_gate) _running = null;
            cancel.Dispose();
        }
    }

    private void Publish(Status status)
    {
        Latest = status;
        _feed.Publish(status);
    }
}
