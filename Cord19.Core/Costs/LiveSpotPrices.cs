using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Cord19.Core.Costs;

/// <summary>
/// The live spot price history of each AWS deployment's instances, each in its own zone, written by
/// <see cref="Targets.Aws.SpotPriceWatcher"/> and read by the meter instead of the price book's estimate. Kept by the
/// instance's ledger entry: a replacement launched after a spot interruption may run in another zone, or be another
/// type, and the interrupted instance keeps the prices it was billed at. In memory: after a restart the watcher reads
/// each instance's history again from its start (EC2 keeps 90 days of it), an ended one in the zone its ledger entry names.
/// </summary>
public sealed class LiveSpotPrices
{
    private readonly ConcurrentDictionary<Guid, ImmutableDictionary<Guid, SpotPriceHistory>> _prices = new();

    public void Set(Guid deploymentId, Guid instanceEntryId, string zone, IReadOnlyList<PricePoint> history) =>
        _prices.AddOrUpdate(deploymentId,
            _ => ImmutableDictionary<Guid, SpotPriceHistory>.Empty.SetItem(instanceEntryId, new(zone, history)),
            (_, known) => known.SetItem(instanceEntryId, new(zone, history)));

    /// <summary>The histories read for the deployment's instances, by their ledger entry; null when none was read.</summary>
    public IReadOnlyDictionary<Guid, SpotPriceHistory>? Get(Guid deploymentId) => _prices.TryGetValue(deploymentId, out var found) ? found : null;
}

/// <summary>The spot prices of one instance's type in its zone since it was recorded, as DescribeSpotPriceHistory gave them.</summary>
public sealed record SpotPriceHistory(string Zone, IReadOnlyList<PricePoint> Points);
