namespace Cord19.Core.Numerics;

/// <summary>
/// The leading eigenvectors of a small symmetric matrix by power iteration with deflation: enough for
/// 2D projections of tens of points or dimensions, without a linear-algebra package.
/// </summary>
public static class SymmetricEigen
{
    /// <returns>Up to <paramref name="count"/> (eigenvalue, unit eigenvector) pairs, largest eigenvalue first.</returns>
    public static IReadOnlyList<(double Value, double[] Vector)> Leading(double[,] matrix, int count, int iterations = 500)
    {
        var n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var result = new List<(double, double[])>();
        for (var k = 0; k < Math.Min(count, n); k++)
        {
            // A deterministic start that is not orthogonal to the usual leading vectors.
            var v = Enumerable.Range(0, n).Select(i => 1.0 + 0.01 * i * (k + 1)).ToArray();
            Normalise(v);
            var value = 0.0;
            for (var it = 0; it < iterations; it++)
            {
                var next = Multiply(a, v);
                var norm = Math.Sqrt(next.Sum(x => x * x));
                if (norm < 1e-15) break;
                for (var i = 0; i < n; i++) next[i] /= norm;
                value = Dot(next, Multiply(a, next));
                var delta = next.Zip(v, (x, y) => Math.Abs(x - y)).Max();
                v = next;
                if (delta < 1e-12) break;
            }
            result.Add((value, v));
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++)
                    a[i, j] -= value * v[i] * v[j];
        }
        return result;
    }

    private static double[] Multiply(double[,] a, double[] v)
    {
        var n = v.Length;
        var r = new double[n];
        for (var i = 0; i < n; i++)
        {
            var s = 0.0;
            for (var j = 0; j < n; j++) s += a[i, j] * v[j];
            r[i] = s;
        }
        return r;
    }

    private static double Dot(double[] x, double[] y) => x.Zip(y, (a, b) => a * b).Sum();

    private static void Normalise(double[] v)
    {
        var norm = Math.Sqrt(v.Sum(x => x * x));
        for (var i = 0; i < v.Length; i++) v[i] /= norm;
    }
}
