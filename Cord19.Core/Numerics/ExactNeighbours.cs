using System.Numerics;
using System.Runtime.InteropServices;

namespace Cord19.Core.Numerics;

/// <summary>
/// Every point's k nearest neighbours by squared Euclidean distance, exactly. The distances of a band of queries to
/// a tile of candidates are computed as one small matrix product: the candidates are kept dimension by dimension
/// (each dimension's values of every point side by side), so a register holds one dimension of several candidates
/// and each query's value is broadcast against it; four queries share every load, and each lane sums its own pair
/// in dimension order, which gives the same figures on CPUs of any vector width. Each query then keeps its k best
/// in a sorted array, skipping the insertion when a distance is no better than its current worst.
/// </summary>
public static class ExactNeighbours
{
    private const int QueryBand = 32;
    private const int QueriesAtOnce = 4;
    // A multiple of two registers of floats on every CPU (16 lanes with AVX-512): the products are taken two at a time.
    private const int Tile = 512;

    public sealed record Result(int[][] Indices, double[][] SquaredDistances);

    public static Result Search(IReadOnlyList<float[]> points, int k, CancellationToken ct = default)
    {
        var n = points.Count;
        var dimensions = points[0].Length;
        var width = Vector<float>.Count;
        // Candidates padded to whole pairs of registers; the padding's distances are computed and never read.
        var stride = (n + 2 * width - 1) / (2 * width) * (2 * width);
        var byDimension = new float[dimensions * stride];
        var norms = new float[n];
        Parallel.For(0, n, ParallelWork.Options(), i =>
        {
            var point = points[i];
            float norm = 0;
            for (var d = 0; d < dimensions; d++)
            {
                byDimension[d * stride + i] = point[d];
                norm += point[d] * point[d];
            }
            norms[i] = norm;
        });

        var indices = new int[n][];
        var distances = new double[n][];
        var bands = (n + QueryBand - 1) / QueryBand;
        Parallel.For(0, bands, ParallelWork.Options(ct), () => new float[QueryBand * Tile], (band, _, products) =>
        {
            var first = band * QueryBand;
            var last = Math.Min(n, first + QueryBand);
            var bestD = new float[last - first][];
            var bestJ = new int[last - first][];
            for (var q = 0; q < bestD.Length; q++)
            {
                bestD[q] = new float[k];
                bestJ[q] = new int[k];
                Array.Fill(bestD[q], float.PositiveInfinity);
                Array.Fill(bestJ[q], -1);
            }
            for (var tile = 0; tile < n; tile += Tile)
            {
                var tileEnd = Math.Min(n, tile + Tile);
                for (var q = first; q < last; q += QueriesAtOnce)
                    Products(points, q, Math.Min(last, q + QueriesAtOnce), first, byDimension, stride, tile, tileEnd, products);
                for (var i = first; i < last; i++)
                {
                    var d = bestD[i - first];
                    var js = bestJ[i - first];
                    var row = (i - first) * Tile;
                    var worst = d[k - 1];
                    for (var j = tile; j < tileEnd; j++)
                    {
                        if (j == i) continue;
                        var distance = norms[i] + norms[j] - 2 * products[row + j - tile];
                        if (distance >= worst) continue;
                        var at = k - 1;
                        while (at > 0 && d[at - 1] > distance) { d[at] = d[at - 1]; js[at] = js[at - 1]; at--; }
                        d[at] = distance;
                        js[at] = j;
                        worst = d[k - 1];
                    }
                }
            }
            for (var i = first; i < last; i++)
            {
                indices[i] = bestJ[i - first];
                distances[i] = bestD[i - first].Select(v => (double)Math.Max(0, v)).ToArray();
            }
            return products;
        }, _ => { });
        return new Result(indices, distances);
    }

    /// <summary>
    /// Dot products of queries [<paramref name="from"/>, <paramref name="to"/>) (at most four) with candidates
    /// [<paramref name="tile"/>, <paramref name="tileEnd"/>), into <paramref name="products"/> (a row of
    /// <see cref="Tile"/> a query, counted from <paramref name="bandStart"/>). A missing fourth query repeats the
    /// last one, whose row is then written twice with the same figures.
    /// </summary>
    private static void Products(IReadOnlyList<float[]> points, int from, int to, int bandStart,
        float[] byDimension, int stride, int tile, int tileEnd, float[] products)
    {
        var (r0, r1, r2, r3) = (from, Math.Min(from + 1, to - 1), Math.Min(from + 2, to - 1), Math.Min(from + 3, to - 1));
        var (q0, q1, q2, q3) = (points[r0], points[r1], points[r2], points[r3]);
        var width = Vector<float>.Count;
        var candidates = MemoryMarshal.Cast<float, Vector<float>>(byDimension.AsSpan());
        var perDimension = stride / width;
        var output = MemoryMarshal.Cast<float, Vector<float>>(products.AsSpan());
        var outputRow = Tile / width;
        for (var j = tile; j < tileEnd; j += 2 * width)
        {
            Vector<float> a0 = default, a1 = default, b0 = default, b1 = default, c0 = default, c1 = default, e0 = default, e1 = default;
            var at = j / width;
            for (var d = 0; d < q0.Length; d++, at += perDimension)
            {
                var low = candidates[at];
                var high = candidates[at + 1];
                var s = new Vector<float>(q0[d]); a0 += s * low; a1 += s * high;
                s = new Vector<float>(q1[d]); b0 += s * low; b1 += s * high;
                s = new Vector<float>(q2[d]); c0 += s * low; c1 += s * high;
                s = new Vector<float>(q3[d]); e0 += s * low; e1 += s * high;
            }
            var column = (j - tile) / width;
            Store(output, (r0 - bandStart) * outputRow + column, a0, a1);
            Store(output, (r1 - bandStart) * outputRow + column, b0, b1);
            Store(output, (r2 - bandStart) * outputRow + column, c0, c1);
            Store(output, (r3 - bandStart) * outputRow + column, e0, e1);
        }
    }

    private static void Store(Span<Vector<float>> output, int at, Vector<float> low, Vector<float> high)
    {
        output[at] = low;
        output[at + 1] = high;
    }
}
