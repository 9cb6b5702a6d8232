using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cord19.Core.Numerics;

/// <summary>
/// Loops with the CPU's vector registers: the dot product inside every neighbour search in the map, and the
/// scaled additions inside the PCA's products. The scaled additions are element by element (no sum across
/// lanes, no fused multiply-add), so they give the same bits as the plain loop on any CPU, whatever its width.
/// </summary>
public static class VectorMath
{
    public static float Dot(float[] a, float[] b)
    {
        var sum = Vector<float>.Zero;
        var width = Vector<float>.Count;
        var i = 0;
        for (; i <= a.Length - width; i += width)
            sum += new Vector<float>(a, i) * new Vector<float>(b, i);
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }

    /// <summary><paramref name="sum"/>[a] += <paramref name="scale"/> × <paramref name="x"/>[a], x widened to double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaled(Span<double> sum, double scale, ReadOnlySpan<float> x)
    {
        var wide = MemoryMarshal.Cast<float, Vector<float>>(x);
        var sums = MemoryMarshal.Cast<double, Vector<double>>(sum);
        var factor = new Vector<double>(scale);
        for (var v = 0; v < wide.Length; v++)
        {
            // Widening one register of floats gives two of doubles: its lower and upper halves, in order.
            Vector.Widen(wide[v], out var low, out var high);
            sums[2 * v] += factor * low;
            sums[2 * v + 1] += factor * high;
        }
        for (var a = wide.Length * Vector<float>.Count; a < x.Length; a++) sum[a] += scale * x[a];
    }

    /// <summary><paramref name="sum"/>[a] += <paramref name="scale"/> × <paramref name="x"/>[a].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaled(Span<double> sum, double scale, ReadOnlySpan<double> x)
    {
        var xs = MemoryMarshal.Cast<double, Vector<double>>(x);
        var sums = MemoryMarshal.Cast<double, Vector<double>>(sum);
        var factor = new Vector<double>(scale);
        for (var v = 0; v < xs.Length; v++) sums[v] += factor * xs[v];
        for (var a = xs.Length * Vector<double>.Count; a < x.Length; a++) sum[a] += scale * x[a];
    }
}
