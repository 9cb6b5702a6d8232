namespace Cord19.Core.Costs;

/// <summary>
/// The cost of one deployment at one moment, per resource and in total (USD). A null amount means
/// "unknown": a price is missing or unreadable, and the meter will not show a wrong number.
/// </summary>
public sealed record CostSnapshot(
    Guid? DeploymentId,
    DateTime At,
    bool IsAwsEquivalent,
    IReadOnlyList<ResourceCost> Resources,
    decimal? Accrued,
    decimal? BurnRatePerHour,
    decimal? Projected,
    BudgetStatus Budget,
    IReadOnlyList<string> Warnings)
{
    public static CostSnapshot None(DateTime at) =>
        new(null, at, false, [], 0m, 0m, 0m, BudgetStatus.Unlimited, []);
}

/// <param name="Unknown">Why the amounts are unknown; null when they are known.</param>
public sealed record ResourceCost(string Name, MeterKind Kind, decimal? Accrued, decimal? BurnRatePerHour, decimal? Projected, string? Unknown)
{
    /// <summary>Where the price came from: the live spot price of the zone, or the price book's entry with its source and date.</summary>
    public string? PriceSource { get; init; }
}

public enum BudgetLevel { Ok, Warning, Exceeded }

/// <param name="Fraction">How much of the budget is used: the larger of cost/cap and age/lifetime.</param>
public sealed record BudgetStatus(decimal? CapUsd, double? MaxLifetimeHours, double Fraction, BudgetLevel Level, string? Message)
{
    public const double WarningFraction = 0.8;
    public static BudgetStatus Unlimited { get; } = new(null, null, 0, BudgetLevel.Ok, null);
}
