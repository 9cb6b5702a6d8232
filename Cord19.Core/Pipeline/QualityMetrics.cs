using System.Numerics;
using Cord19.Core.Numerics;
using Cord19.Core.Results;

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
        // Each sampled document's silhouette on its own (in parallel), then summed in sample order: the same figure
        // on any number of cores. NaN marks a singleton's, which is defined as 0 and left out.
        var each = new double[ids.Length];
        Parallel.For(0, ids.Length, ParallelWork.Options(), a =>
        {
            var sums = new double[k];
            var counts = new int[k];
            for (var b = 0; b < ids.Length; b++)
            {
                if (a == b) continue;
                sums[labels[b]] += 1 - Dot(normalised[a], normalised[b]);
                counts[labels[b]]++;
            }
            if (counts[labels[a]] == 0) { each[a] = double.NaN; return; }
            var own = sums[labels[a]] / counts[labels[a]];
            var nearest = Enumerable.Range(0, k).Where(c => c != labels[a] && counts[c] > 0).Select(c => sums[c] / counts[c]).DefaultIfEmpty(0).Min();
            var max = Math.Max(own, nearest);
            each[a] = max == 0 ? 0 : (nearest - own) / max;
        });
        double total = 0;
        var counted = 0;
        foreach (var value in each)
        {
            if (double.IsNaN(value)) continue;
            total += value;
            counted++;
        }
        return counted == 0 ? 0 : total / counted;
    }

    /// <summary>
    /// UMass coherence (Mimno et al., 2011), averaged over topics: for each pair of top words, the log of
    /// (documents with both + 1) / (documents with the higher-ranked one). Closer to 0 is better. Each top word's
    /// documents are a bitset, so a pair's documents in common are counted a machine word (64 documents) at a time;
    /// sets of document numbers took 30 s of a million documents' run.
    /// </summary>
    /// <param name="documents">Each document's stems, as their numbers in <paramref name="stems"/>.</param>
    public static double UMassCoherence(IEnumerable<IReadOnlyList<string>> topicTopTerms, IReadOnlyList<int[]> documents, StemTable stems)
    {
        var topics = topicTopTerms.Select(t => t.Take(10).ToList()).Where(t => t.Count >= 2).ToList();
        var wanted = topics.SelectMany(t => t).Distinct(StringComparer.Ordinal)
            .Select((term, index) => (term, index)).ToDictionary(p => p.term, p => p.index, StringComparer.Ordinal);
        // A stem's number to its place among the top words, -1 for the others.
        var wantedOfStem = new int[stems.Count];
        Array.Fill(wantedOfStem, -1);
        foreach (var (term, index) in wanted)
            if (stems.Find(term) is var id and >= 0) wantedOfStem[id] = index;
        var words = (documents.Count + 63) / 64;
        var postings = wanted.Keys.Select(_ => new ulong[words]).ToArray();
        // Blocks of whole machine words: no two threads write the same word.
        const int BlockWords = 64;
        Parallel.For(0, (words + BlockWords - 1) / BlockWords, ParallelWork.Options(), block =>
        {
            var end = Math.Min(documents.Count, (block + 1) * BlockWords * 64);
            for (var d = block * BlockWords * 64; d < end; d++)
                foreach (var stem in documents[d])
                    if (wantedOfStem[stem] is var w and >= 0)
                        postings[w][d >> 6] |= 1UL << (d & 63);
        });
        var counts = postings.Select(Count).ToArray();

        var scores = topics.Select(topWords =>
        {
            var ids = topWords.Select(t => wanted[t]).ToArray();
            double score = 0;
            for (var i = 1; i < ids.Length; i++)
                for (var j = 0; j < i; j++)
                {
                    if (counts[ids[j]] == 0) continue;
                    score += Math.Log((CountBoth(postings[ids[i]], postings[ids[j]]) + 1.0) / counts[ids[j]]);
                }
            return score / (ids.Length * (ids.Length - 1) / 2.0);
        }).ToList();
        return scores.Count == 0 ? 0 : scores.Average();
    }

    private static int Count(ulong[] bits)
    {
        var count = 0;
        foreach (var word in bits) count += BitOperations.PopCount(word);
        return count;
    }

    private static int CountBoth(ulong[] a, ulong[] b)
    {
        var count = 0;
        for (var w = 0; w < a.Length; w++) count += BitOperations.PopCount(a[w] & b[w]);
        return count;
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
