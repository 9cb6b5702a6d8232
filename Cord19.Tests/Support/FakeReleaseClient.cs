using Cord19.Core.Releases;
using Cord19.Web.ServiceClient;

namespace Cord19.Tests.Support;

/// <summary>Releases for page tests: a fixed list, and no download unless a test publishes statuses.</summary>
public sealed class FakeReleaseClient : IReleaseClient
{
    private readonly System.Threading.Channels.Channel<ReleaseFetcher.Status> _changes = System.Threading.Channels.Channel.CreateUnbounded<ReleaseFetcher.Status>();

    public ReleaseFetcher.Status Latest { get; private set; } = ReleaseFetcher.Status.Idle;
    public List<string> Started { get; } = [];

    public void Publish(ReleaseFetcher.Status status)
    {
        Latest = status;
        _changes.Writer.TryWrite(status);
    }

    public IAsyncEnumerable<ReleaseFetcher.Status> WatchAsync(CancellationToken ct) => _changes.Reader.ReadAllAsync(ct);
    public Cord19Releases.Listing Listing { get; set; } = new(["2022-06-02", "2020-03-13"], FromBucket: true);
    public Task<Cord19Releases.Listing> ListAsync(CancellationToken ct) => Task.FromResult(Listing);
    /// <summary>How a release or mirror is described; 1,500 MB at once unless a test says otherwise.</summary>
    public Func<string, CancellationToken, Task<Cord19Releases.Release>> Describe { get; set; } =
        (date, _) => Task.FromResult(new Cord19Releases.Release(date, $"{date}/metadata.csv", 1_500_000_000, ""));
    public Task<Cord19Releases.Release> DescribeAsync(string date, CancellationToken ct) => Describe(date, ct);
    public bool Start(string date) { Started.Add(date); return true; }
    public void Cancel() { }
}
