using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The checklist's line for the spot price: the first choice's cheapest zone against the max. When the first choice is
/// not sold within the max (or not at all), phase 1 goes on to Settings' fallback types in their order, so the line is
/// amber, naming the first fallback sold within the max, which is what phase 1 would launch; red only when none is.
/// </summary>
public static class SpotPriceCheck
{
    public const string Name = "Spot price";

    /// <param name="prices">Each type's current prices, cheapest first, Settings' first choice first.</param>
    public static CheckItem Judge(PipelineSettings settings, IReadOnlyList<(string Type, IReadOnlyList<ZoneSpotPrice> Prices)> prices)
    {
        var (first, max) = (settings.InstanceType, settings.SpotMaxPricePerHour);
        var firstPrices = prices[0].Prices;
        if (firstPrices.Count > 0 && firstPrices[0] is var cheapest && cheapest.PerHour <= max)
            return new(Name, CheckOutcome.Passed, $"${cheapest.PerHour}/h now in {cheapest.AvailabilityZone}, the cheapest of {Zones(firstPrices)}, within your max of ${max}/h.");
        var why = firstPrices.Count == 0
            ? $"No spot price for {first} in {settings.AwsRegion}: it is not offered there."
            : $"${firstPrices[0].PerHour}/h now at the cheapest of {Zones(firstPrices)} ({firstPrices[0].AvailabilityZone}), above your max of ${max}/h.";
        foreach (var (fallback, offered) in prices.Skip(1))
            if (offered.FirstOrDefault() is { } within && within.PerHour <= max)
                return new(Name, CheckOutcome.Warning,
                    $"{first}: {why} Phase 1 would ask for the fallback {fallback} instead, ${within.PerHour}/h now in {within.AvailabilityZone}.",
                    "Raise the spot max price for the first choice, or put the fallback first in Settings.");
        return new(Name, CheckOutcome.Failed, prices.Count > 1 ? $"{first}: {why} No fallback type is sold within it either." : why,
            firstPrices.Count == 0 ? "Pick another instance type or region." : "Raise the spot max price or pick another instance type in Settings.");
    }

    /// <summary>The first choice's prices, and the fallbacks' only when the first is not sold within the max; then judged.</summary>
    public static async Task<CheckItem> JudgeAsync(IAwsCloud cloud, PipelineSettings settings, CancellationToken ct)
    {
        var first = await cloud.SpotPricesAsync(settings.InstanceType, ct);
        var prices = new List<(string, IReadOnlyList<ZoneSpotPrice>)> { (settings.InstanceType, first) };
        if (first is not [{ } cheapest, ..] || cheapest.PerHour > settings.SpotMaxPricePerHour)
            foreach (var type in settings.SpotInstanceTypes.Skip(1))
                prices.Add((type, await cloud.SpotPricesAsync(type, ct)));
        return Judge(settings, prices);
    }

    private static string Zones(IReadOnlyList<ZoneSpotPrice> prices) => $"{prices.Count} zone{(prices.Count == 1 ? "" : "s")}";
}
