using Cord19.Core.Results;

namespace Cord19.Core.Insights;

/// <summary>
/// Pairs the clusters of two runs by the overlap of their top terms (Jaccard), best match first. Clusters that share
/// less than <see cref="MinimumOverlap"/> of their terms are left unpaired rather than presented as the same theme, and a
/// pair below <see cref="StrongOverlap"/> is marked weak.
/// </summary>
public static class RunComparison
{
    /// <summary>Below this, two clusters share a word or two (10 top terms each: 4 in common is 0.25), not a theme.</summary>
    public const double MinimumOverlap = 0.2;

    /// <summary>From this on (half the terms in common, e.g. 7 of 10), a pair reads as one theme found twice.</summary>
    public const double StrongOverlap = 0.5;

    public sealed record ClusterPair(ClusterResult Left, ClusterResult? Right, double Overlap)
    {
        public bool IsWeak => Right is not null && Overlap < StrongOverlap;
    }

    public static IReadOnlyList<ClusterPair> PairClusters(RunResult left, RunResult right)
    {
        var unused = right.Clusters.ToList();
        var candidates = left.Clusters
            .SelectMany(l => right.Clusters.Select(r => (l, r, overlap: Jaccard(l, r))))
            .OrderByDescending(c => c.overlap).ThenBy(c => c.l.Id).ThenBy(c => c.r.Id);

        var pairs = new Dictionary<int, ClusterPair>();
        foreach (var (l, r, overlap) in candidates)
        {
            if (pairs.ContainsKey(l.Id) || !unused.Contains(r) || overlap < MinimumOverlap) continue;
            pairs[l.Id] = new ClusterPair(l, r, overlap);
            unused.Remove(r);
        }
        return left.Clusters.Select(l => pairs.GetValueOrDefault(l.Id) ?? new ClusterPair(l, null, 0)).ToList();
    }

    private static double Jaccard(ClusterResult a, ClusterResult b)
    {
        var x = a.TopTerms.Select(t => t.Term).ToHashSet(StringComparer.Ordinal);
        var y = b.TopTerms.Select(t => t.Term).ToHashSet(StringComparer.Ordinal);
        var union = x.Union(y).Count();
        return union == 0 ? 0 : Math.Round((double)x.Intersect(y).Count() / union, 3);
    }
}
