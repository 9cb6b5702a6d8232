using Cord19.Core.Numerics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Cord19.Core.Pipeline;

/// <summary>
/// The seed's clustering: PCA of the TF-IDF vectors (<see cref="RandomizedPca"/>, on the sparse rows), then
/// ML.NET's k-means (k-means++ initialisation) in the reduced space.
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
        var ml = new MLContext(seed);
        var reducedView = MlVectors.Load(ml, reduced);

        var kmeans = ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
        {
            FeatureColumnName = nameof(MlVectors.Row.Features),
            NumberOfClusters = k,
            InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
            // One thread keeps the result identical run after run for a fixed seed.
            NumberOfThreads = 1,
            MaximumNumberOfIterations = 1_000,
        }).Fit(reducedView);

        var predicted = kmeans.Transform(reducedView);
        // ML.NET's cluster labels are 1-based keys.
        var assignments = predicted.GetColumn<uint>("PredictedLabel").Select(l => (int)l - 1).ToArray();
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
