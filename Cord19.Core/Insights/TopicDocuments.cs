using Cord19.Core.Pipeline;
using Cord19.Core.Results;

namespace Cord19.Core.Insights;

/// <summary>
/// How a run's documents carry each of its topics: the mean weight per publish month, and the documents that carry most
/// of it. Found for every topic in one pass and kept with the run (RunCache): a pass over a million documents took 0.3-0.7
/// s, which choosing a topic, and each page showing it, used to repeat for that topic alone.
/// </summary>
public sealed class TopicDocuments
{
    /// <param name="MeanWeight">The topic's mean weight over all documents published that month.</param>
    public sealed record Month(DateOnly Start, int Documents, double MeanWeight);

    /// <summary>How many top documents the pipeline writes for each topic (the Topics page shows this many).</summary>
    public const int PublishedTopCount = 10;

    private readonly IReadOnlyList<(DateOnly Start, int Documents)> _months;
    private readonly Dictionary<int, double[]> _weightPerMonth;
    private readonly Dictionary<int, IReadOnlyList<DocumentResult>> _top;
    private readonly int _topCount;

    private TopicDocuments(IReadOnlyList<(DateOnly, int)> months, Dictionary<int, double[]> weightPerMonth, Dictionary<int, IReadOnlyList<DocumentResult>> top,
        int topCount) =>
        (_months, _weightPerMonth, _top, _topCount) = (months, weightPerMonth, top, topCount);

    /// <summary>What runs/{runId}/topic-documents.json holds.</summary>
    public PublishedTopicDocuments ToFile() => new(_topCount, _months.Select(m => new MonthDocuments(m.Start, m.Documents)).ToList(),
        _weightPerMonth.Keys.Union(_top.Keys).Order()
            .Select(t => new TopicDocumentsEntry(t, _weightPerMonth.GetValueOrDefault(t) ?? new double[_months.Count], Top(t))).ToList());

    /// <summary>The file's timelines and top documents, each topic's cut to <paramref name="topCount"/> (at most the file's own).</summary>
    public static TopicDocuments FromFile(PublishedTopicDocuments file, int topCount) => new(
        file.Months.Select(m => (m.Start, m.Documents)).ToList(),
        file.Topics.ToDictionary(t => t.Id, t => t.WeightPerMonth.ToArray()),
        file.Topics.ToDictionary(t => t.Id, t => (IReadOnlyList<DocumentResult>)t.Top.Take(topCount).ToList()),
        Math.Min(topCount, file.TopCount));

    /// <summary>Every publish month with a dated document, in order, and the topic's mean weight in it (0 where it has none).</summary>
    public IReadOnlyList<Month> Timeline(int topicId)
    {
        var sums = _weightPerMonth.GetValueOrDefault(topicId);
        return _months.Select((m, i) => new Month(m.Start, m.Documents, Math.Round(sums is null ? 0 : sums[i] / m.Documents, 5))).ToList();
    }

    /// <summary>The documents with most of the topic, heaviest first (ties by id), only those that carry some of it.</summary>
    public IReadOnlyList<DocumentResult> Top(int topicId) => _top.GetValueOrDefault(topicId) ?? [];

    public static TopicDocuments Compute(IReadOnlyList<DocumentResult> documents, int topCount)
    {
        // Publish times repeat (1,614 distinct in a 4,992-row sample of CORD-19's 2022 metadata): each is parsed once.
        var monthOfText = new Dictionary<string, DateOnly?>();
        var monthOfDocument = new DateOnly?[documents.Count];
        for (var d = 0; d < documents.Count; d++)
        {
            var text = documents[d].PublishTime;
            if (text is null) continue;
            if (!monthOfText.TryGetValue(text, out var month))
                monthOfText[text] = month = PublishDate.Parse(text) is { } date ? new DateOnly(date.Year, date.Month, 1) : null;
            monthOfDocument[d] = month;
        }
        var months = monthOfDocument.OfType<DateOnly>().Distinct().Order().ToList();
        var indexOf = months.Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i);
        var counts = new int[months.Count];

        var weightPerMonth = new Dictionary<int, double[]>();
        var candidates = new Dictionary<int, PriorityQueue<int, (float Weight, string Id, int Index)>>();
        for (var d = 0; d < documents.Count; d++)
        {
            var month = monthOfDocument[d] is { } m ? indexOf[m] : -1;
            if (month >= 0) counts[month]++;
            foreach (var (topic, weight) in documents[d].TopicWeights)
            {
                if (month >= 0)
                {
                    if (!weightPerMonth.TryGetValue(topic, out var sums)) weightPerMonth[topic] = sums = new double[months.Count];
                    sums[month] += weight;
                }
                if (!(weight > 0)) continue;
                if (!candidates.TryGetValue(topic, out var queue)) candidates[topic] = queue = new PriorityQueue<int, (float, string, int)>(WeakestFirst);
                var key = (weight, documents[d].Id, d);
                if (queue.Count < topCount) queue.Enqueue(d, key);
                else if (queue.TryPeek(out _, out var weakest) && WeakestFirst.Compare(key, weakest) > 0) queue.EnqueueDequeue(d, key);
            }
        }
        var top = candidates.ToDictionary(c => c.Key, c => (IReadOnlyList<DocumentResult>)c.Value.UnorderedItems
            .OrderByDescending(x => x.Priority, WeakestFirst).Select(x => documents[x.Element]).ToList());
        return new TopicDocuments(months.Select((m, i) => (m, counts[i])).ToList(), weightPerMonth, top, topCount);
    }

    // Lower weight is weaker; at equal weight the later id (ordinal), then the later document, as the list ranks them.
    private static readonly Comparer<(float Weight, string Id, int Index)> WeakestFirst = Comparer<(float Weight, string Id, int Index)>.Create((a, b) =>
    {
        var byWeight = a.Weight.CompareTo(b.Weight);
        if (byWeight != 0) return byWeight;
        var byId = string.CompareOrdinal(b.Id, a.Id);
        return byId != 0 ? byId : b.Index.CompareTo(a.Index);
    });
}
