namespace Cord19.Core.Numerics;

/// <summary>
/// Eigenvectors of small symmetric matrices, without a linear-algebra package (none is served): the leading
/// few by power iteration with deflation (2D projections), or all of them by cyclic Jacobi rotations (the
/// randomized PCA's small core matrix).
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

    /// <returns>Every (eigenvalue, unit eigenvector) pair, largest eigenvalue first.</returns>
    public static IReadOnlyList<(double Value, double[] Vector)> All(double[,] matrix, int sweeps = 100)
    {
        var n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (var i = 0; i < n; i++) v[i, i] = 1;
        for (var sweep = 0; sweep < sweeps; sweep++)
        {
            double off = 0, total = 0;
            for (var p = 0; p < n; p++)
                for (var q = 0; q < n; q++) { total += a[p, q] * a[p, q]; if (p != q) off += a[p, q] * a[p, q]; }
            if (off <= 1e-22 * Math.Max(total, 1e-300)) break;
            for (var p = 0; p < n - 1; p++)
                for (var q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300) continue;
                    // The rotation that zeroes a[p, q] (Golub and Van Loan, algorithm 8.4.1).
                    var theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    var c = 1 / Math.Sqrt(t * t + 1);
                    var s = t * c;
                    for (var k = 0; k < n; k++)
                    {
                        var akp = a[k, p];
                        var akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (var k = 0; k < n; k++)
                    {
                        var apk = a[p, k];
                        var aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (var k = 0; k < n; k++)
                    {
                        var vkp = v[k, p];
                        var vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        return Enumerable.Range(0, n)
            .Select(j => (a[j, j], Enumerable.Range(0, n).Select(i => v[i, j]).ToArray()))
            .OrderByDescending(e => e.Item1).ToList();
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
