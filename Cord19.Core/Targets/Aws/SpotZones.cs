using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Which zones phase 1 asks for the spot instance in, in order. Spot prices and spare capacity differ from zone to zone:
/// left to choose, EC2 takes a default subnet of its own, which may price the type above the max (refused) or above a
/// cheaper zone (billed more), have no spot room, or assign no public address (an instance that can never serve). So the
/// panel names the zone: the cheapest within the max whose default subnet gives a public address, then the next.
/// </summary>
public static class SpotZones
{
    /// <param name="prices">Cheapest first, as <see cref="IAwsCloud.SpotPricesAsync"/> gives them; the order is kept.</param>
    public static IReadOnlyList<ZoneSpotPrice> ToTry(IReadOnlyList<ZoneSpotPrice> prices, IReadOnlyList<DefaultSubnet> subnets, decimal maxPerHour) =>
        [.. prices.Where(p => p.PerHour <= maxPerHour && subnets.Any(s => s.AvailabilityZone == p.AvailabilityZone && s.AssignsPublicAddress))];

    /// <summary>A refusal another zone may not give: no spot room there now, the type not offered there, its price risen above the max.</summary>
    public static bool IsZonal(AwsException ex) => ex.Code is "InsufficientInstanceCapacity" or "Unsupported" or "SpotMaxPriceTooLow";
}
