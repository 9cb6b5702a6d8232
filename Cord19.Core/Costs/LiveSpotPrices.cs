using System.Collections.Concurrent;

namespace Cord19.Core.Costs;

/// <summary>
/// The live spot price history of each AWS deployment's instance zone, written by <see cref="Targets.Aws.SpotPriceWatcher"/>
/// and read by the meter instead of the price book's estimate. In memory: after a restart the watcher reads the
/// history again from the instance's start (EC2 keeps 90 days of it).
/// </summary>
public sealed class LiveSpotPrices
{
    private readonly ConcurrentDictionary<Guid, (string Zone, IReadOnlyList<PricePoint> History)> _prices = new();

    public void Set(Guid deploymentId, string zone, IReadOnlyList<PricePoint> history) => _prices[deploymentId] = (zone, history);

    public (string Zone, IReadOnlyList<PricePoint> History)? Get(Guid deploymentId) => _prices.TryGetValue(deploymentId, out var found) ? found : null;
}
