namespace Cord19.Core.Costs;

/// <summary>Prices a deployment's metered resources at a moment: accrued, burn rate, projection, budget.</summary>
public static class CostMeter
{
    /// <param name="createdAt">When the deployment started (for the lifetime limit and the plan).</param>
    /// <param name="plannedEnd">When the planned run should end; the projection assumes what bills now bills until then.</param>
    public static CostSnapshot Measure(
        Guid deploymentId, DateTime createdAt, bool ended, bool isAwsEquivalent,
        IReadOnlyList<MeteredResource> resources, PriceBook prices, DateTime now, DateTime plannedEnd,
        decimal? capUsd, double? maxLifetimeHours)
    {
        var remainingHours = ended ? 0m : (decimal)Math.Max(0, (plannedEnd - now).TotalHours);
        var costs = resources.Select(r => Price(r, prices, now, remainingHours)).ToList();
        var known = costs.All(c => c.Unknown is null);
        decimal? accrued = known ? costs.Sum(c => c.Accrued!.Value) : null;
        decimal? burn = known ? costs.Sum(c => c.BurnRatePerHour!.Value) : null;
        decimal? projected = known ? costs.Sum(c => c.Projected!.Value) : null;

        List<string> warnings = [.. prices.Problem is { } problem ? [problem] : Array.Empty<string>(),
            .. prices.Stale(DateOnly.FromDateTime(now))
                .Where(p => resources.Any(r => r.PriceKey == p.Key))
                .Select(p => $"The price '{p.Key}' was read on {p.AsOf:yyyy-MM-dd}, over a year ago: check it in Settings.")];
        // Settings refuse a cap beside a type the book does not price, but settings saved before that rule, or a resource
        // priced neither live nor by the book, leave the total unknown: the cap can then never be reached.
        var capBlind = capUsd is not null && accrued is null && !ended;
        if (capBlind)
        {
            // Every unknown cost is named, so that adding one price does not only reveal the next one missing.
            // An unreadable book is said once, above.
            var unpriced = prices.Problem is not null ? ["the price book cannot be read."]
                : costs.Where(c => c.Unknown is not null).GroupBy(c => c.Unknown).Select(g => $"{string.Join(", ", g.Select(c => c.Name))}: {g.Key}");
            warnings.Add($"The {Money.Cap(capUsd!.Value)} cap cannot guard while a cost is unknown ({string.Join(" ", unpriced)}) " +
                (maxLifetimeHours is { } hours ? $"Only the {hours:0.#} h lifetime guards this deployment." : "Nothing stops this deployment by itself."));
        }
        var budget = Budget(accrued, now - createdAt, capUsd, maxLifetimeHours, ended);
        if (capBlind && budget.Level == BudgetLevel.Ok) budget = budget with { Level = BudgetLevel.Warning };
        return new CostSnapshot(deploymentId, now, isAwsEquivalent, costs, accrued, burn, projected, budget, warnings);
    }

    private static ResourceCost Price(MeteredResource r, PriceBook prices, DateTime now, decimal remainingHours)
    {
        var price = prices.Find(r.PriceKey);
        if (price is null && r.PriceHistory is not { Count: > 0 })
            return new ResourceCost(r.Name, r.Kind, null, null, null, prices.Missing(r.PriceKey));

        var hourly = HourlyRate(r, price, now);
        var accrued = r.Kind switch
        {
            MeterKind.Ec2Instance => BillingRules.Ec2(r.Periods, r.PriceHistory ?? [new PricePoint(DateTime.MinValue, price!.Usd)], now),
            MeterKind.RedshiftCluster => BillingRules.Redshift(r.Periods, price!.Usd, (int)r.Quantity, now),
            MeterKind.PublicIpv4 => BillingRules.PublicIpv4(r.Periods, price!.Usd, now),
            MeterKind.SpectrumScan => BillingRules.SpectrumScan(r.Periods, r.Quantity, price!.Usd, now),
            _ => BillingRules.Storage(r.Periods, r.Quantity, price!.Usd, now),
        };
        var burn = r.IsBillingNow ? hourly : 0m;
        var source = r.PriceHistory is { Count: > 0 }
            ? "live: DescribeSpotPriceHistory for the instance's zone"
            : $"price book '{price!.Key}' (${price.Usd}/{price.Unit}, {price.AsOf:yyyy-MM-dd}): {price.Source}";
        return new ResourceCost(r.Name, r.Kind, accrued, burn, accrued + burn * remainingHours, null) { PriceSource = source };
    }

    /// <summary>What the resource costs per hour while it is billed.</summary>
    public static decimal HourlyRate(MeteredResource r, Price? price, DateTime now) => r.Kind switch
    {
        MeterKind.Ec2Instance => r.PriceHistory is { Count: > 0 } h ? BillingRules.PriceAt(h, now) : price!.Usd,
        MeterKind.RedshiftCluster => price!.Usd * r.Quantity,
        MeterKind.PublicIpv4 => price!.Usd,
        MeterKind.SpectrumScan => 0m,
        _ => price!.Usd * r.Quantity / BillingRules.HoursPerMonth,
    };

    private static BudgetStatus Budget(decimal? accrued, TimeSpan age, decimal? cap, double? lifetime, bool ended)
    {
        if (cap is null && lifetime is null) return BudgetStatus.Unlimited;
        var costFraction = cap is { } c && accrued is { } a ? (double)(a / c) : 0;
        var ageFraction = lifetime is { } l ? age.TotalHours / l : 0;
        var fraction = Math.Max(costFraction, ageFraction);
        if (ended) return new BudgetStatus(cap, lifetime, fraction, BudgetLevel.Ok, null);

        var level = fraction >= 1 ? BudgetLevel.Exceeded : fraction >= BudgetStatus.WarningFraction ? BudgetLevel.Warning : BudgetLevel.Ok;
        var message = level == BudgetLevel.Ok ? null
            : costFraction >= ageFraction
                // A cost fraction this high has both an accrued cost and a cap.
                ? $"Cost {Money.Usd(accrued ?? 0)} is {costFraction:P0} of the {Money.Cap(cap ?? 0)} cap."
                : $"The deployment is {age.TotalHours:0.0} h old, {ageFraction:P0} of its {lifetime:0.#} h lifetime.";
        return new BudgetStatus(cap, lifetime, fraction, level, message);
    }
}
