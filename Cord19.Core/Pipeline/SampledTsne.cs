using Cord19.Core.Numerics;

namespace Cord19.Core.Pipeline;

/// <summary>
/// A map for runs too large for t-SNE's exact neighbour search: t-SNE on an even, seeded sample, then every
/// other document placed among its three nearest sampled documents of the same cluster (distance-weighted),
/// the way out-of-sample points are usually added to an embedding. Neighbourhoods found in the sample carry
/// over; the cost grows with documents × sample / clusters, not documents².
/// </summary>
public static class SampledTsne
{
    public const string Method = "tsne-sample";
    public const int Sample = 10_000;
    private const int Nearest = 3;
    // Neighbours for placement are searched on the leading principal components only: they carry most of the
    // variance, and a million documents × the sampled ones × every dimension took most of the map's time.
    private const int SearchDimensions = 16;

    public static (float X, float Y)[] Embed(IReadOnlyList<float[]> points, int[] clusters, int seed, CancellationToken ct)
    {
        var n = points.Count;
        var all = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(all);
        var sample = all.Take(Math.Min(Sample, n)).Order().ToArray();
        var sampled = Tsne.Embed(sample.Select(i => points[i]).ToList(), new Tsne.Options(), ct);

        var map = new (float X, float Y)[n];
        var inSample = new bool[n];
        for (var s = 0; s < sample.Length; s++) { map[sample[s]] = sampled[s]; inSample[sample[s]] = true; }
        var byCluster = sample.Select((doc, s) => (doc, s)).GroupBy(p => clusters[p.doc]).ToDictionary(g => g.Key, g => g.ToArray());
        var everySample = sample.Select((doc, s) => (doc, s)).ToArray();
        var searched = points.Select(p => p.Length > SearchDimensions ? p[..SearchDimensions] : p).ToArray();
        var norms = searched.Select(Norm).ToArray();

        Parallel.For(0, n, ParallelWork.Options(ct), i =>
        {
            if (inSample[i]) return;
            var candidates = byCluster.GetValueOrDefault(clusters[i]) is { Length: >= Nearest } same ? same : everySample;
            Span<(double D, int S)> best = stackalloc (double, int)[Nearest];
            best.Fill((double.MaxValue, -1));
            foreach (var (doc, s) in candidates)
            {
                var d = norms[i] + norms[doc] - 2 * VectorMath.Dot(searched[i], searched[doc]);
                if (d >= best[^1].D) continue;
                var at = Nearest - 1;
                while (at > 0 && best[at - 1].D > d) { best[at] = best[at - 1]; at--; }
                best[at] = (d, s);
            }
            double x = 0, y = 0, total = 0;
            foreach (var (d, s) in best)
            {
                if (s < 0) continue;
                var w = 1 / (Math.Sqrt(Math.Max(d, 0)) + 1e-6);
                x += w * sampled[s].X;
                y += w * sampled[s].Y;
                total += w;
            }
            map[i] = ((float)(x / total), (float)(y / total));
        });
        return map;
    }

    private static double Norm(float[] v) => VectorMath.Dot(v, v);

}
