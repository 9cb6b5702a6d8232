using Cord19.Core.Releases;

namespace Cord19.Web.ServiceClient;

/// <summary>What the Get CORD-19 panel knows of releases and of the one download: the latest status, then each change.</summary>
public interface IReleaseClient
{
    ReleaseFetcher.Status Latest { get; }
    IAsyncEnumerable<ReleaseFetcher.Status> WatchAsync(CancellationToken ct);
    Task<Cord19Releases.Listing> ListAsync(CancellationToken ct);
    Task<Cord19Releases.Release> DescribeAsync(string date, CancellationToken ct);
    bool Start(string date);
    void Cancel();
}

public sealed class ReleaseClient(ReleaseFetcher fetcher) : IReleaseClient
{
    public ReleaseFetcher.Status Latest => fetcher.Latest;
    public IAsyncEnumerable<ReleaseFetcher.Status> WatchAsync(CancellationToken ct) => fetcher.WatchAsync(ct);
    public Task<Cord19Releases.Listing> ListAsync(CancellationToken ct) => fetcher.ListAsync(ct);
    public Task<Cord19Releases.Release> DescribeAsync(string date, CancellationToken ct) => fetcher.DescribeAsync(date, ct);
    public bool Start(string date) => fetcher.Start(date);
    public void Cancel() => fetcher.Cancel();
}
