using Cord19.Core.Costs;
using Cord19.Core.Targets.Aws;

namespace Cord19.Web.ServiceClient;

/// <summary>What pages know of costs: the latest meter reading, then each new one (about every second); and the history.</summary>
public interface ICostClient
{
    CostSnapshot Latest { get; }
    IAsyncEnumerable<CostSnapshot> WatchAsync(CancellationToken ct);
    Task<CostHistory> GetHistoryAsync(CancellationToken ct);

    /// <summary>What AWS billed a deployment, by its tag, beside the meter (Cost Explorer charges $0.01 a request).</summary>
    Task<DeploymentBill> AskAwsBillAsync(Guid deploymentId, CancellationToken ct);
}

public sealed class CostClient(CostMeterService meter, CostHistoryReader history, DeploymentBills bills) : ICostClient
{
    public Task<DeploymentBill> AskAwsBillAsync(Guid deploymentId, CancellationToken ct) => bills.AskAsync(deploymentId, ct);
    public CostSnapshot Latest => meter.Latest;
    public IAsyncEnumerable<CostSnapshot> WatchAsync(CancellationToken ct) => meter.WatchAsync(ct);
    public Task<CostHistory> GetHistoryAsync(CancellationToken ct) => history.ReadAsync(ct);
}
