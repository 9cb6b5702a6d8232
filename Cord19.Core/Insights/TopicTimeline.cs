using Cord19.Core.Pipeline;
using Cord19.Core.Results;

namespace Cord19.Core.Insights;

/// <summary>How much of a topic the documents published in each month carry.</summary>
public static class TopicTimeline
{
    /// <param name="MeanWeight">The topic's mean weight over all documents published that month.</param>
    public sealed record Month(DateOnly Start, int Documents, double MeanWeight);

    public static IReadOnlyList<Month> Compute(IEnumerable<DocumentResult> documents, int topicId)
    {
        return documents
            .Select(d => (Date: PublishDate.Parse(d.PublishTime), Weight: d.TopicWeights.GetValueOrDefault(topicId)))
            .Where(d => d.Date is not null)
            .GroupBy(d => new DateOnly(d.Date!.Value.Year, d.Date.Value.Month, 1))
            .OrderBy(g => g.Key)
            .Select(g => new Month(g.Key, g.Count(), Math.Round(g.Average(d => (double)d.Weight), 5)))
            .ToList();
    }

    /// <summary>The documents that carry most of a topic.</summary>
    public static IReadOnlyList<DocumentResult> TopDocuments(IEnumerable<DocumentResult> documents, int topicId, int count) =>
        documents.Where(d => d.TopicWeights.GetValueOrDefault(topicId) > 0)
            .OrderByDescending(d => d.TopicWeights[topicId]).ThenBy(d => d.Id, StringComparer.Ordinal)
            .Take(count).ToList();
}
