using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Cord19.Core.Costs;
using Cord19.Web.ServiceClient;

namespace Cord19.Tests.Support;

/// <summary>A cost client fed by the test: <see cref="Push"/> is a meter reading arriving.</summary>
public sealed class FakeCostClient : ICostClient
{
    private readonly Channel<CostSnapshot> _readings = Channel.CreateUnbounded<CostSnapshot>();

    public CostSnapshot Latest { get; private set; } = CostSnapshot.None(DateTime.UtcNow);

    public CostHistory History { get; set; } = new([], null, null, [], [], null);

    public void Push(CostSnapshot snapshot)
    {
        Latest = snapshot;
        _readings.Writer.TryWrite(snapshot);
    }

    public async IAsyncEnumerable<CostSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var reading in _readings.Reader.ReadAllAsync(ct)) yield return reading;
    }

    public Task<CostHistory> GetHistoryAsync(CancellationToken ct) => Task.FromResult(History);

    /// <summary>What asking AWS's bill gives, or throws; the deployments asked about, in order.</summary>
    public Func<Guid, Task<Cord19.Core.Targets.Aws.DeploymentBill>> Bill { get; set; } =
        id => Task.FromResult(new Cord19.Core.Targets.Aws.DeploymentBill(id, "AWS billed $0.000.", [], 0, 0));
    public List<Guid> BillsAsked { get; } = [];

    public Task<Cord19.Core.Targets.Aws.DeploymentBill> AskAwsBillAsync(Guid deploymentId, CancellationToken ct)
    {
        BillsAsked.Add(deploymentId);
        return Bill(deploymentId);
    }
}
