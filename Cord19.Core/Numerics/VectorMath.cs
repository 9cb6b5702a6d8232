using System.Numerics;

namespace Cord19.Core.Numerics;

/// <summary>Dot products with the CPU's vector registers: the inner loop of every neighbour search in the map.</summary>
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
}
