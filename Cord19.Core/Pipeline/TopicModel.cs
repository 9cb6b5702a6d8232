using Microsoft.ML;
using Microsoft.ML.Transforms.Text;

namespace Cord19.Core.Pipeline;

/// <summary>LDA (ML.NET's LightLDA) over term counts; the seed fits one model per cluster.</summary>
public static class TopicModel
{
    public sealed record Topic(IReadOnlyList<(int Term, double Weight)> TopTerms);

    public sealed record Output(IReadOnlyList<Topic> Topics, IReadOnlyList<float[]> DocumentWeights);

    public static Output Run(IReadOnlyList<float[]> counts, int topics, int iterations, int topTerms, int seed)
    {
        var ml = new MLContext(seed);
        var data = MlVectors.Load(ml, counts);
        var lda = ml.Transforms.Text.LatentDirichletAllocation(
            "Topics", nameof(MlVectors.Row.Features), numberOfTopics: topics,
            maximumNumberOfIterations: iterations,
            numberOfSummaryTermsPerTopic: topTerms,
            // One thread and a reset generator give the same topics run after run.
            numberOfThreads: 1, resetRandomGenerator: true).Fit(data);

        var details = lda.GetLdaDetails(0);
        var summaries = details.ItemScoresPerTopic
            .Select(items => new Topic(items.OrderByDescending(i => i.Score).Take(topTerms).Select(i => (i.Item, (double)i.Score)).ToList()))
            .ToList();
        var weights = MlVectors.Read(lda.Transform(data), "Topics");
        return new Output(summaries, weights);
    }
}
