using Cord19.Core.Pipeline;

namespace Cord19.Core.Numerics;

/// <summary>
/// PCA of sparse rows by randomized range finding (Halko, Martinsson and Tropp, 2011): project the centred
/// rows on a few more random directions than wanted, sharpen with power iterations, orthonormalise, and take
/// the exact eigenvectors of the small core matrix. The centring is applied implicitly, so the rows stay sparse:
/// a million TF-IDF rows cost their non-zeros, not rows × vocabulary. Written here because ML.NET's PCA wants
/// dense rows (6 GB for a million documents at 1,500 features) and took most of the clustering time on 100k.
/// Rows are processed in fixed chunks and summed in chunk order: the same result on any number of cores.
/// Every inner loop is a scaled addition of one row to another on the CPU's vector registers
/// (<see cref="VectorMath.AddScaled(Span{double}, double, ReadOnlySpan{float})"/>): 3× faster than the plain loops on
/// 100k documents (4.0 s → 1.3 s).
/// </summary>
public static class RandomizedPca
{
    private const int Oversampling = 10;
    private const int PowerIterations = 3;

    /// <summary>The rows' coordinates on their first <paramref name="dimensions"/> principal components.</summary>
    public static float[][] Project(IReadOnlyList<SparseVector> rows, int columns, int dimensions, int seed)
    {
        var n = rows.Count;
        var l = Math.Min(dimensions + Oversampling, Math.Min(n, columns));
        var mean = new double[columns];
        foreach (var row in rows)
            for (var i = 0; i < row.Count; i++) mean[row.Indices[i]] += row.Values[i];
        for (var j = 0; j < columns; j++) mean[j] /= n;

        var random = new Random(seed);
        // The tall matrices are kept in single precision (sums in double): on a million rows they are the
        // largest allocations of the clustering step.
        var omega = new float[columns * l];
        for (var i = 0; i < omega.Length; i++) omega[i] = (float)random.NextGaussian();

        var partial = new double[Math.Max(1, Math.Min(16, n / 1_000))][];
        var y = Times(rows, mean, omega, l);                // n × l: (X - 1μᵀ) Ω
        for (var q = 0; q < PowerIterations; q++)
        {
            // Between power iterations the columns only need to stay apart (scikit-learn takes an LU step there):
            // one Cholesky QR pass; the basis the components are read from gets both.
            CholeskyQr(y, n, l);
            var z = TransposeTimes(rows, mean, y, columns, l, partial); // columns × l
            CholeskyQr(z, columns, l);
            Times(rows, mean, z, l, into: y);        // y was read for the last time above
        }
        Orthonormalise(y, n, l);

        // B = Qᵀ(X - 1μᵀ) is l × columns; the eigenvectors of BBᵀ give the components inside the range of Q.
        var bt = TransposeTimes(rows, mean, y, columns, l, partial);  // columns × l = Bᵀ
        var core = new double[l, l];
        for (var a = 0; a < l; a++)
            for (var b = a; b < l; b++)
            {
                double s = 0;
                for (var j = 0; j < columns; j++) s += bt[j * l + a] * bt[j * l + b];
                core[a, b] = core[b, a] = s;
            }
        var eigen = SymmetricEigen.All(core);
        var kept = Math.Min(dimensions, l);

        // Projections: (X - 1μᵀ) v_k = Q U Σ, i.e. Q times each eigenvector scaled by its singular value.
        // The eigenvectors as the rows of an l × kept matrix, so each coordinate a of a row adds one row of it.
        var vectors = new double[l * kept];
        for (var k = 0; k < kept; k++)
            for (var a = 0; a < l; a++) vectors[a * kept + k] = eigen[k].Vector[a];
        var projected = new float[n][];
        Parallel.For(0, n, ParallelWork.Options(), () => new double[kept], (i, _, s) =>
        {
            Array.Clear(s);
            for (var a = 0; a < l; a++) VectorMath.AddScaled(s, y[i * l + a], vectors.AsSpan(a * kept, kept));
            var row = new float[kept];
            for (var k = 0; k < kept; k++) row[k] = (float)(s[k] * Math.Sqrt(Math.Max(eigen[k].Value, 0)));
            projected[i] = row;
            return s;
        }, _ => { });
        return projected;
    }

    /// <summary>
    /// (X - 1μᵀ) M for M columns × l (row-major), into <paramref name="into"/> when given (an n × l matrix no longer
    /// needed): each row's product is its own, so rows run in parallel.
    /// </summary>
    private static float[] Times(IReadOnlyList<SparseVector> rows, double[] mean, float[] m, int l, float[]? into = null)
    {
        var shift = new double[l];
        for (var j = 0; j < mean.Length; j++)
            for (var a = 0; a < l; a++) shift[a] += mean[j] * m[j * l + a];
        var result = into ?? new float[(long)rows.Count * l];
        Parallel.For(0, rows.Count, ParallelWork.Options(), () => new double[l], (i, _, sum) =>
        {
            var row = rows[i];
            Array.Clear(sum);
            for (var e = 0; e < row.Count; e++)
                VectorMath.AddScaled(sum, row.Values[e], m.AsSpan(row.Indices[e] * l, l));
            var at = (long)i * l;
            for (var a = 0; a < l; a++) result[at + a] = (float)(sum[a] - shift[a]);
            return sum;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// (X - 1μᵀ)ᵀ Y for Y n × l: summed per fixed chunk of rows, then the chunks in order. The chunks' sums are
    /// <paramref name="partial"/>'s arrays, made on the first call and reused by the next: new ones each time were a
    /// stream of large-object allocations that set off a full collection every other call.
    /// </summary>
    private static float[] TransposeTimes(IReadOnlyList<SparseVector> rows, double[] mean, float[] y, int columns, int l, double[][] partial)
    {
        var chunks = partial.Length;
        Parallel.For(0, chunks, ParallelWork.Options(), c =>
        {
            var sum = partial[c] ??= new double[columns * l];
            Array.Clear(sum);
            for (var i = (int)((long)rows.Count * c / chunks); i < (int)((long)rows.Count * (c + 1) / chunks); i++)
            {
                var row = rows[i];
                var yRow = y.AsSpan(i * l, l);
                for (var e = 0; e < row.Count; e++)
                    VectorMath.AddScaled(sum.AsSpan(row.Indices[e] * l, l), row.Values[e], yRow);
            }
        });
        var result = partial[0];
        for (var c = 1; c < chunks; c++)
            for (var i = 0; i < result.Length; i++) result[i] += partial[c][i];
        // Minus μ (1ᵀY).
        var columnSums = new double[l];
        for (var i = 0; i < rows.Count; i++)
            for (var a = 0; a < l; a++) columnSums[a] += y[(long)i * l + a];
        for (var j = 0; j < columns; j++)
            for (var a = 0; a < l; a++) result[j * l + a] -= mean[j] * columnSums[a];
        return result.Select(x => (float)x).ToArray();
    }

    /// <summary>
    /// Orthonormal columns for a rows × l row-major matrix, in place, by Cholesky QR twice (CholeskyQR2): row by
    /// row, so it streams through memory and runs in parallel, and the second pass restores what the first
    /// loses to rounding.
    /// </summary>
    private static void Orthonormalise(float[] m, int rows, int l)
    {
        CholeskyQr(m, rows, l);
        CholeskyQr(m, rows, l);
    }

    private static void CholeskyQr(float[] m, int rows, int l)
    {
        var chunks = Math.Max(1, Math.Min(16, rows / 1_000));
        var partial = new double[chunks][];
        Parallel.For(0, chunks, ParallelWork.Options(), c =>
        {
            var g = new double[l * l];
            for (var i = (int)((long)rows * c / chunks); i < (int)((long)rows * (c + 1) / chunks); i++)
            {
                var row = m.AsSpan(i * l, l);
                for (var a = 0; a < l; a++)
                {
                    double x = row[a];
                    if (x == 0) continue;
                    VectorMath.AddScaled(g.AsSpan(a * l + a, l - a), x, row[a..]);
                }
            }
            partial[c] = g;
        });
        var gram = partial[0];
        for (var c = 1; c < chunks; c++)
            for (var i = 0; i < gram.Length; i++) gram[i] += partial[c][i];

        // Gram = RᵀR with R upper triangular; a column that is (numerically) dependent gets a unit pivot.
        var r = new double[l * l];
        var scale = Enumerable.Range(0, l).Max(a => gram[a * l + a]);
        for (var a = 0; a < l; a++)
        {
            var d = gram[a * l + a];
            for (var k = 0; k < a; k++) d -= r[k * l + a] * r[k * l + a];
            r[a * l + a] = d > 1e-14 * scale ? Math.Sqrt(d) : 1;
            for (var b = a + 1; b < l; b++)
            {
                var v = gram[a * l + b];
                for (var k = 0; k < a; k++) v -= r[k * l + a] * r[k * l + b];
                r[a * l + b] = v / r[a * l + a];
            }
        }
        // M ← M R⁻¹, each row by forward substitution: as soon as an entry is final, its share is taken from the
        // entries after it (the same subtractions, in the same order, as entry by entry, but whole rows of R at once).
        Parallel.For(0, rows, ParallelWork.Options(), () => new double[l], (i, _, v) =>
        {
            var row = m.AsSpan(i * l, l);
            for (var a = 0; a < l; a++) v[a] = row[a];
            for (var k = 0; k < l; k++)
            {
                row[k] = (float)(v[k] / r[k * l + k]);
                VectorMath.AddScaled(v.AsSpan(k + 1), -row[k], r.AsSpan(k * l + k + 1, l - k - 1));
            }
            return v;
        }, _ => { });
    }
}
