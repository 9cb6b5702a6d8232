namespace Cord19.Core.Pipeline;

/// <summary>
/// How good a run is, by the figures the pipeline issue asks for: k-means silhouette (cosine, on a sample),
/// LDA topic coherence (UMass, from document co-occurrence of each topic's top words), and how well the 2D
/// map keeps each document's nearest neighbours.
/// </summary>
public static class QualityMetrics
{
    /// <summary>
    /// Mean silhouette with cosine distance over a reproducible sample (O(n²), hence the sample): from -1
    /// (wrong clusters) through 0 (overlapping) to 1 (tight, apart).
    /// </summary>
    public static double Silhouette(IReadOnlyList<float[]> vectors, int[] clusters, int sample, int seed)
    {
        var ids = SampleIndices(vectors.Count, sample, seed);
        var normalised = ids.Select(i => Normalise(vectors[i])).ToArray();
        var labels = ids.Select(i => clusters[i]).ToArray();
        var k = labels.Max() + 1;
        double total = 0;
        var counted = 0;
        for (var a = 0; a < ids.Length; a++)
        {
            var sums = new double[k];
            var counts = new int[k];
            for (var b = 0; b < ids.Length; b++)
            {
                if (a == b) continue;
                sums[labels[b]] += 1 - Dot(normalised[a], normalised[b]);
                counts[labels[b]]++;
            }
            if (counts[labels[a]] == 0) continue; // a singleton's silhouette is defined as 0; leave it out
            var own = sums[labels[a]] / counts[labels[a]];
            var nearest = Enumerable.Range(0, k).Where(c => c != labels[a] && counts[c] > 0).Select(c => sums[c] / counts[c]).DefaultIfEmpty(0).Min();
            var max = Math.Max(own, nearest);
            total += max == 0 ? 0 : (nearest - own) / max;
            counted++;
        }
        return counted == 0 ? 0 : total / counted;
    }

    /// <summary>
    /// UMass coherence (Mimno et al., 2011), averaged over topics: for each pair of top words, the log of
    /// (documents with both + 1) / (documents with the more frequent one). Closer to 0 is better.
    /// </summary>
    public static double UMassCoherence(IEnumerable<IReadOnlyList<string>> topicTopTerms, IReadOnlyList<IReadOnlyList<string>> documents)
    {
        var postings = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var topics = topicTopTerms.Select(t => t.Take(10).ToList()).Where(t => t.Count >= 2).ToList();
        var wanted = topics.SelectMany(t => t).ToHashSet(StringComparer.Ordinal);
        for (var d = 0; d < documents.Count; d++)
            foreach (var term in documents[d])
                if (wanted.Contains(term))
                    (postings.TryGetValue(term, out var set) ? set : postings[term] = []).Add(d);

        var scores = topics.Select(words =>
        {
            double score = 0;
            for (var i = 1; i < words.Count; i++)
                for (var j = 0; j < i; j++)
                {
                    var wj = postings.GetValueOrDefault(words[j]);
                    if (wj is null || wj.Count == 0) continue;
                    var both = postings.GetValueOrDefault(words[i]) is { } wi ? wi.Count(wj.Contains) : 0;
                    score += Math.Log((both + 1.0) / wj.Count);
                }
            return score / (words.Count * (words.Count - 1) / 2.0);
        }).ToList();
        return scores.Count == 0 ? 0 : scores.Average();
    }

    /// <summary>
    /// The share of each sampled document's k nearest neighbours (Euclidean, in the reduced space) that are
    /// also among its k nearest on the 2D map. 1 keeps every neighbourhood; random placement scores about k/n.
    /// </summary>
    public static double NeighbourPreservation(IReadOnlyList<float[]> reduced, IReadOnlyList<(float X, float Y)> map, int k, int sample, int seed)
    {
        var ids = SampleIndices(reduced.Count, sample, seed);
        if (ids.Length <= k) return 1;
        double kept = 0;
        foreach (var a in ids)
        {
            var high = ids.Where(b => b != a).OrderBy(b => SquaredDistance(reduced[a], reduced[b])).Take(k).ToHashSet();
            var low = ids.Where(b => b != a).OrderBy(b => Square(map[a].X - map[b].X) + Square(map[a].Y - map[b].Y)).Take(k);
            kept += low.Count(high.Contains);
        }
        return kept / (ids.Length * (double)k);
    }

    private static int[] SampleIndices(int count, int sample, int seed)
    {
        var all = Enumerable.Range(0, count).ToArray();
        if (count <= sample) return all;
        new Random(seed).Shuffle(all);
        return all.Take(sample).Order().ToArray();
    }

    private static float[] Normalise(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return norm == 0 ? v : v.Select(x => x / norm).ToArray();
    }

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double SquaredDistance(float[] a, float[] b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++) s += Square(a[i] - b[i]);
        return s;
    }

    private static double Square(double x) => x * x;
}
