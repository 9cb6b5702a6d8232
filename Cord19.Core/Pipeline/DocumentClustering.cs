using Cord19.Core.Numerics;

namespace Cord19.Core.Pipeline;

/// <summary>
/// The seed's clustering: PCA of the TF-IDF vectors (<see cref="RandomizedPca"/>, on the sparse rows), then
/// k-means (<see cref="KMeans"/>, k-means++ starts) in the reduced space.
/// </summary>
public static class DocumentClustering
{
    public sealed record Output(IReadOnlyList<float[]> Reduced, int[] Assignments, int Clusters);

    public static Output Run(IReadOnlyList<SparseVector> tfidf, int columns, int dimensions, int k, int seed)
    {
        if (tfidf.Count < k)
            throw new InvalidDataException($"{tfidf.Count} documents cannot form {k} clusters: lower k in Settings or widen the input.");

        var rank = Math.Min(dimensions, Math.Min(tfidf.Count - 1, columns - 1));
        var reduced = RandomizedPca.Project(tfidf, columns, rank, seed);
        var assignments = KMeans.Cluster(reduced, k, seed);
        return new Output(reduced, Renumber(assignments, k), k);
    }

    /// <summary>Numbers clusters by size, largest first, so that "cluster 0" means the same thing in every run.</summary>
    private static int[] Renumber(int[] assignments, int k)
    {
        var order = Enumerable.Range(0, k)
            .OrderByDescending(c => assignments.Count(a => a == c)).ThenBy(c => c)
            .Select((cluster, rank) => (cluster, rank))
            .ToDictionary(p => p.cluster, p => p.rank);
        return assignments.Select(a => order[a]).ToArray();
    }
}
