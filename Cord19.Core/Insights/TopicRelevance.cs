using Cord19.Core.Results;

namespace Cord19.Core.Insights;

/// <summary>
/// pyLDAvis' term relevance (Sievert and Shirley, 2014): λ·log P(t|k) + (1−λ)·log(P(t|k) / P(t)).
/// λ = 1 ranks by probability within the topic; lower λ favours terms specific to the topic. They found
/// λ ≈ 0.6 best for people interpreting topics, hence the default.
/// </summary>
public static class TopicRelevance
{
    public const double DefaultLambda = 0.6;

    /// <param name="WithinTopic">P(t|k) × the topic's prevalence: the term's estimated share of all tokens through this topic.</param>
    /// <param name="Overall">P(t): the term's share of all tokens in the run.</param>
    public sealed record RankedTerm(string Term, double Relevance, double ProbabilityInTopic, double WithinTopic, double Overall);

    public static IReadOnlyList<RankedTerm> Rank(TopicTermMatrix matrix, int topicId, double prevalence, double lambda, int count)
    {
        if (lambda is < 0 or > 1 || double.IsNaN(lambda))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ is between 0 and 1.");
        var topic = matrix.Topics.FirstOrDefault(t => t.Id == topicId)
            ?? throw new ArgumentException($"Topic {topicId} is not in this run.", nameof(topicId));

        return Enumerable.Range(0, matrix.Terms.Count)
            .Where(j => topic.Probabilities[j] > 0 && matrix.TermProbability[j] > 0)
            .Select(j =>
            {
                var p = topic.Probabilities[j];
                var relevance = lambda * Math.Log(p) + (1 - lambda) * Math.Log(p / matrix.TermProbability[j]);
                return new RankedTerm(matrix.Terms[j], relevance, p, p * prevalence, matrix.TermProbability[j]);
            })
            .OrderByDescending(t => t.Relevance).ThenBy(t => t.Term, StringComparer.Ordinal)
            .Take(count)
            .ToList();
    }

    /// <summary>
    /// A topic's name for people: its most relevant terms at λ = 0.6. By probability alone most CORD-19 topics would
    /// start "covid, patients, …"; relevance keeps the terms that tell this topic from the others.
    /// </summary>
    public static string Label(TopicTermMatrix matrix, int topicId, int terms = 3) =>
        string.Join(", ", Rank(matrix, topicId, prevalence: 1, DefaultLambda, terms).Select(t => t.Term));
}
