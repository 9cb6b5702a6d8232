using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Cord19.Core.Pipeline;

/// <summary>The seed's clustering: PCA of the TF-IDF vectors, then k-means (k-means++ initialisation), with ML.NET.</summary>
public static class DocumentClustering
{
    public sealed record Output(IReadOnlyList<float[]> Reduced, int[] Assignments, int Clusters);

    public static Output Run(IReadOnlyList<float[]> tfidf, int dimensions, int k, int seed)
    {
        if (tfidf.Count < k)
            throw new InvalidDataException($"{tfidf.Count} documents cannot form {k} clusters: lower k in Settings or widen the input.");

        var ml = new MLContext(seed);
        var data = MlVectors.Load(ml, tfidf);
        var rank = Math.Min(dimensions, Math.Min(tfidf.Count - 1, tfidf[0].Length - 1));
        var pca = ml.Transforms.ProjectToPrincipalComponents("Reduced", nameof(MlVectors.Row.Features), rank: rank, seed: seed).Fit(data);
        var reducedView = pca.Transform(data);

        var kmeans = ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
        {
            FeatureColumnName = "Reduced",
            NumberOfClusters = k,
            InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
            // One thread keeps the result identical run after run for a fixed seed.
            NumberOfThreads = 1,
            MaximumNumberOfIterations = 1_000,
        }).Fit(reducedView);

        var predicted = kmeans.Transform(reducedView);
        var reduced = MlVectors.Read(predicted, "Reduced");
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
