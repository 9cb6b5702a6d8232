namespace Cord19.Core.Numerics;

/// <summary>Standard normal draws from a seeded <see cref="Random"/> (Box-Muller), the same numbers for the same seed everywhere.</summary>
internal static class RandomGaussian
{
    public static double NextGaussian(this Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
