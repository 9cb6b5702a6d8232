using Cord19.Core.Results;

namespace Cord19.Core.Insights;

/// <summary>Pairs the clusters of two runs by the overlap of their top terms (Jaccard), best match first.</summary>
public static class RunComparison
{
    public sealed record ClusterPair(ClusterResult Left, ClusterResult? Right, double Overlap);

    public static IReadOnlyList<ClusterPair> PairClusters(RunResult left, RunResult right)
    {
        var unused = right.Clusters.ToList();
        var candidates = left.Clusters
            .SelectMany(l => right.Clusters.Select(r => (l, r, overlap: Jaccard(l, r))))
            .OrderByDescending(c => c.overlap).ThenBy(c => c.l.Id).ThenBy(c => c.r.Id);

        var pairs = new Dictionary<int, ClusterPair>();
        foreach (var (l, r, overlap) in candidates)
        {
            if (pairs.ContainsKey(l.Id) || !unused.Contains(r) || overlap == 0) continue;
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
