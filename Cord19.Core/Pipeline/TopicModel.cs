using Microsoft.ML;
using Microsoft.ML.Transforms.Text;

namespace Cord19.Core.Pipeline;

/// <summary>LDA (ML.NET's LightLDA) over term counts; the seed fits one model per cluster.</summary>
public static class TopicModel
{
    /// <param name="Distribution">P(term | topic) over the whole vocabulary.</param>
    public sealed record Topic(IReadOnlyList<(int Term, double Weight)> TopTerms, double[] Distribution);

    public sealed record Output(IReadOnlyList<Topic> Topics, IReadOnlyList<float[]> DocumentWeights);

    public static Output Run(IReadOnlyList<float[]> counts, int topics, int iterations, int topTerms, int seed)
    {
        var ml = new MLContext(seed);
        var data = MlVectors.Load(ml, counts);
        var lda = ml.Transforms.Text.LatentDirichletAllocation(
            "Topics", nameof(MlVectors.Row.Features), numberOfTopics: topics,
            maximumNumberOfIterations: iterations,
            // Every term, not just the top ones: relevance ranking and topic distances need whole distributions.
            numberOfSummaryTermsPerTopic: counts[0].Length,
            // One thread and a reset generator give the same topics run after run.
            numberOfThreads: 1, resetRandomGenerator: true).Fit(data);

        var details = lda.GetLdaDetails(0);
        var summaries = details.ItemScoresPerTopic.Select(items =>
        {
            var distribution = new double[counts[0].Length];
            foreach (var item in items) distribution[item.Item] = Math.Max(0, item.Score);
            var total = distribution.Sum();
            if (total > 0) for (var j = 0; j < distribution.Length; j++) distribution[j] /= total;
            var top = Enumerable.Range(0, distribution.Length).OrderByDescending(j => distribution[j]).ThenBy(j => j)
                .Take(topTerms).Select(j => (j, distribution[j])).ToList();
            return new Topic(top, distribution);
        }).ToList();
        var weights = MlVectors.Read(lda.Transform(data), "Topics");
        return new Output(summaries, weights);
    }
}
