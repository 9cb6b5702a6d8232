using Cord19.Core.Costs;

namespace Cord19.Web.ServiceClient;

/// <summary>What pages know of costs: the latest meter reading, then each new one (about every second); and the history.</summary>
public interface ICostClient
{
    CostSnapshot Latest { get; }
    IAsyncEnumerable<CostSnapshot> WatchAsync(CancellationToken ct);
    Task<CostHistory> GetHistoryAsync(CancellationToken ct);
}

public sealed class CostClient(CostMeterService meter, CostHistoryReader history) : ICostClient
{
    public CostSnapshot Latest => meter.Latest;
    public IAsyncEnumerable<CostSnapshot> WatchAsync(CancellationToken ct) => meter.WatchAsync(ct);
    public Task<CostHistory> GetHistoryAsync(CancellationToken ct) => history.ReadAsync(ct);
}
