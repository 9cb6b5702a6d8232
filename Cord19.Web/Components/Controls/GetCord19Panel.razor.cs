using Cord19.Core.Releases;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Components;

namespace Cord19.Web.Components.Controls;

public sealed partial class GetCord19Panel : LiveComponent
{
    private IReadOnlyList<string> _releases = [];
    private string? _release;
    private string? _mirror;
    private string? _size;
    private string? _listProblem;
    private ReleaseFetcher.Status _status = ReleaseFetcher.Status.Idle;

    [Inject] public required IReleaseClient Fetcher { get; init; }

    /// <summary>The downloaded file, once it is the metadata file: the Settings form shows it at once.</summary>
    [Parameter] public EventCallback<string> Fetched { get; set; }

    private bool Downloading => _status.Phase == ReleaseFetcher.Phase.Downloading;

    /// <summary>A mirror's address when one is typed, otherwise the picked release.</summary>
    private string? Target => string.IsNullOrWhiteSpace(_mirror) ? _release : _mirror.Trim();

    protected override async Task OnInitializedAsync()
    {
        _status = Fetcher.Latest;
        Subscribe(Fetcher.WatchAsync, async status =>
        {
            var finished = status.Phase == ReleaseFetcher.Phase.Done && _status.Phase != ReleaseFetcher.Phase.Done;
            _status = status;
            if (finished && status.File is { } file) await Fetched.InvokeAsync(file);
        });
        // Asked once interactive, not while prerendering: a slow network must not hold the Settings page back.
        if (!RendererInfo.IsInteractive) return;
        try
        {
            using var patience = Patience();
            var listing = await Fetcher.ListAsync(patience.Token);
            _releases = listing.Dates;
            _listProblem = _releases.Count == 0 ? "No releases are listed: check the connection (or AWS_ENDPOINT_URL_S3)."
                : listing.FromBucket ? null
                : "AI2's bucket refused to list its releases: these are the ones its README names, each checked before download. A mirror's address below works too.";
        }
        catch (InvalidDataException ex)
        {
            _listProblem = ex.Message;
        }
        catch (OperationCanceledException) when (!Stopping.IsCancellationRequested)
        {
            _listProblem = $"AI2's bucket did not answer within {PatienceSeconds} s: check the connection, then reload the page.";
        }
        if (_releases.Count > 0) await SelectAsync(_status.Release ?? _releases[0]);
    }

    private async Task SelectAsync(string date)
    {
        _release = date;
        await DescribeTargetAsync();
    }

    private async Task MirrorChangedAsync(string? address)
    {
        _mirror = address;
        await DescribeTargetAsync();
    }

    /// <summary>
    /// The target's size, or why it has none. Only the answer about the target still chosen is shown: an address typed
    /// since (or a release picked) makes an earlier, slower answer stale.
    /// </summary>
    private async Task DescribeTargetAsync()
    {
        _size = null;
        if (Target is not { } target) return;
        string size;
        try
        {
            using var patience = Patience();
            var release = await Fetcher.DescribeAsync(target, patience.Token);
            size = $"{release.Size / 1e6:N0} MB to download";
        }
        catch (InvalidDataException ex)
        {
            size = ex.Message;
        }
        catch (OperationCanceledException) when (!Stopping.IsCancellationRequested)
        {
            // Ours, or the HTTP client's own wait for an answer: either way the source said nothing.
            size = $"The source of {target} did not answer: check the connection{(MirrorAddress.IsAddress(target) ? " and the address" : "")}.";
        }
        if (Target == target) _size = size;
    }

    /// <summary>How long the page waits for the bucket or a mirror to answer before it says they did not.</summary>
    private const int PatienceSeconds = 15;

    private CancellationTokenSource Patience()
    {
        var patience = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        patience.CancelAfter(TimeSpan.FromSeconds(PatienceSeconds));
        return patience;
    }

    private void Start()
    {
        if (Target is { } target) Fetcher.Start(target);
    }

    private static string Describe(ReleaseFetcher.Status s) => s.Phase switch
    {
        ReleaseFetcher.Phase.Downloading when s.Total == 0 => $"Release {s.Release}: starting…",
        ReleaseFetcher.Phase.Downloading =>
            $"Release {s.Release}: {s.Share * 100:0}%, {s.Bytes / 1e6:N0} of {s.Total / 1e6:N0} MB, {s.BytesPerSecond / 1e6:0.0} MB/s" +
            (s.Left is { } left ? $", about {Math.Ceiling(left.TotalSeconds):N0} s left" : ""),
        _ => s.Message ?? "",
    };
}
