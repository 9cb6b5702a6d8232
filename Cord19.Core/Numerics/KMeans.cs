namespace Cord19.Core.Numerics;

/// <summary>
/// k-means: greedy k-means++ starts (Arthur and Vassilvitskii, 2007; 2 + ln k candidates a centre, the one that
/// lowers the total squared distance most, as scikit-learn does), then Lloyd's iterations until no point changes
/// cluster. Written here because ML.NET's trainer repeats itself only on one thread: it was most of the clustering
/// step once the PCA was fast. Points are taken in fixed chunks whose sums are added in chunk order, so the
/// clusters do not depend on the number of cores or on scheduling.
/// </summary>
public static class KMeans
{
    private const int Chunk = 2_048;

    /// <summary>Each point's cluster, 0 to k-1.</summary>
    public static int[] Cluster(IReadOnlyList<float[]> points, int k, int seed, int maxIterations = 300, CancellationToken ct = default)
    {
        var n = points.Count;
        var norms = new float[n];
        Parallel.For(0, n, ParallelWork.Options(), i => norms[i] = VectorMath.Dot(points[i], points[i]));
        var centres = Starts(points, norms, k, new Random(seed));

        var assignments = new int[n];
        Array.Fill(assignments, -1);
        var chunks = (n + Chunk - 1) / Chunk;
        var sums = new double[chunks][];
        var counts = new int[chunks][];
        var changed = new int[chunks];
        var dimensions = points[0].Length;
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            ct.ThrowIfCancellationRequested();
            var centreNorms = centres.Select(c => VectorMath.Dot(c, c)).ToArray();
            Parallel.For(0, chunks, ParallelWork.Options(), c =>
            {
                var sum = sums[c] ??= new double[k * dimensions];
                var count = counts[c] ??= new int[k];
                Array.Clear(sum);
                Array.Clear(count);
                changed[c] = 0;
                for (var i = c * Chunk; i < Math.Min(n, (c + 1) * Chunk); i++)
                {
                    var nearest = Nearest(points[i], norms[i], centres, centreNorms);
                    if (nearest != assignments[i]) { assignments[i] = nearest; changed[c]++; }
                    count[nearest]++;
                    VectorMath.AddScaled(sum.AsSpan(nearest * dimensions, dimensions), 1.0, points[i]);
                }
            });
            if (changed.Sum() == 0) break;
            for (var centre = 0; centre < k; centre++)
            {
                var total = new double[dimensions];
                var members = 0;
                for (var c = 0; c < chunks; c++)
                {
                    VectorMath.AddScaled(total, 1.0, sums[c].AsSpan(centre * dimensions, dimensions));
                    members += counts[c][centre];
                }
                // An emptied cluster keeps its centre: a later iteration may fill it again.
                if (members > 0) centres[centre] = total.Select(v => (float)(v / members)).ToArray();
            }
        }
        return assignments;
    }

    private static float[][] Starts(IReadOnlyList<float[]> points, float[] norms, int k, Random random)
    {
        var n = points.Count;
        var first = random.Next(n);
        var centres = new List<float[]> { points[first] };
        var closest = new double[n];
        Parallel.For(0, n, ParallelWork.Options(), i => closest[i] = SquaredDistance(points[i], norms[i], centres[0], norms[first]));
        var trials = 2 + (int)Math.Log(k);
        var candidateClosest = new double[n];
        var bestClosest = new double[n];
        while (centres.Count < k)
        {
            var potential = closest.Sum();
            double bestPotential = double.PositiveInfinity;
            var best = -1;
            for (var t = 0; t < trials; t++)
            {
                var candidate = Draw(closest, potential * random.NextDouble());
                Parallel.For(0, n, ParallelWork.Options(), i => candidateClosest[i] = Math.Min(closest[i], SquaredDistance(points[i], norms[i], points[candidate], norms[candidate])));
                var candidatePotential = candidateClosest.Sum();
                if (candidatePotential >= bestPotential) continue;
                (bestPotential, best) = (candidatePotential, candidate);
                Array.Copy(candidateClosest, bestClosest, n);
            }
            centres.Add(points[best]);
            Array.Copy(bestClosest, closest, n);
        }
        return centres.Select(c => c.ToArray()).ToArray();
    }

    /// <summary>The point at which the running sum of <paramref name="weights"/> passes <paramref name="target"/>.</summary>
    private static int Draw(double[] weights, double target)
    {
        double running = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            running += weights[i];
            if (running > target) return i;
        }
        // Rounding can leave the target just above the last running sum: take the last point with any weight.
        return Array.FindLastIndex(weights, w => w > 0) is >= 0 and var last ? last : weights.Length - 1;
    }

    private static int Nearest(float[] point, float norm, float[][] centres, float[] centreNorms)
    {
        var (best, bestDistance) = (0, float.PositiveInfinity);
        for (var c = 0; c < centres.Length; c++)
        {
            var distance = norm + centreNorms[c] - 2 * VectorMath.Dot(point, centres[c]);
            if (distance < bestDistance) (best, bestDistance) = (c, distance);
        }
        return best;
    }

    private static double SquaredDistance(float[] point, float norm, float[] other, float otherNorm) =>
        Math.Max(0, norm + otherNorm - 2 * VectorMath.Dot(point, other));
}
