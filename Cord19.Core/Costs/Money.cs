using System.Globalization;

namespace Cord19.Core.Costs;

/// <summary>How the panel writes an amount of US dollars, wherever it shows one.</summary>
public static class Money
{
    /// <summary>Tenths of a cent below a dollar (a short deployment costs cents), cents above; the same in every culture.</summary>
    public static string Usd(decimal value) => "$" + value.ToString(value < 1 ? "0.000" : "0.00", CultureInfo.InvariantCulture);

    /// <summary>A budget cap as a person types it, in cents ("$0.10", not the meter's "$0.100"); the same in every culture.</summary>
    public static string Cap(decimal value) => "$" + value.ToString("0.00", CultureInfo.InvariantCulture);
}
