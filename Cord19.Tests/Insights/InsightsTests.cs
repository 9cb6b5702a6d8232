using Cord19.Core.Insights;
using Cord19.Core.Results;
using Cord19.Tests.Support;
using Cord19.Web.Model;

namespace Cord19.Tests.Insights;

public sealed class InsightsTests
{
    // Two topics over four terms; "rare" is specific to topic 0, "common" is everywhere.
    private static readonly TopicTermMatrix Matrix = new(
        ["common", "rare", "mid", "other"],
        [0.55, 0.05, 0.2, 0.2],
        [new TopicTerms(0, [0.5, 0.3, 0.2, 0.0]), new TopicTerms(1, [0.6, 0.0, 0.1, 0.3])]);

    [Fact]
    public void Lambda_1_ranks_by_probability_in_the_topic_and_lambda_0_by_lift()
    {
        var byProbability = TopicRelevance.Rank(Matrix, 0, 0.5, 1.0, 3).Select(t => t.Term);
        var byLift = TopicRelevance.Rank(Matrix, 0, 0.5, 0.0, 3).Select(t => t.Term);

        Assert.Equal(["common", "rare", "mid"], byProbability);
        Assert.Equal(["rare", "mid", "common"], byLift);
        Assert.DoesNotContain("other", byProbability);
    }

    [Fact]
    public void Relevance_reports_each_term_s_shares()
    {
        var rare = TopicRelevance.Rank(Matrix, 0, 0.5, 0.6, 4).Single(t => t.Term == "rare");
        Assert.Equal(0.3, rare.ProbabilityInTopic, 6);
        Assert.Equal(0.15, rare.WithinTopic, 6);
        Assert.Equal(0.05, rare.Overall, 6);
        Assert.Equal(0.6 * Math.Log(0.3) + 0.4 * Math.Log(0.3 / 0.05), rare.Relevance, 9);
    }

    [Fact]
    public void Topic_labels_lead_with_what_tells_the_topic_apart_not_with_the_term_every_topic_shares()
    {
        // "covid" is as likely in both topics as in the whole run, as in CORD-19.
        var matrix = new TopicTermMatrix(
            ["covid", "patients", "vaccine", "school", "dose", "learning"],
            [0.3, 0.2, 0.1, 0.1, 0.15, 0.15],
            [new TopicTerms(0, [0.3, 0.2, 0.3, 0.0, 0.2, 0.0]), new TopicTerms(1, [0.3, 0.1, 0.0, 0.3, 0.0, 0.3])]);

        Assert.All(new[] { 0, 1 }, id => Assert.Equal("covid", TopicRelevance.Rank(matrix, id, 1, 1.0, 1)[0].Term));
        Assert.Equal("vaccine, covid, dose", TopicRelevance.Label(matrix, 0));
        Assert.Equal("school, learning, covid", TopicRelevance.Label(matrix, 1));
    }

    [Fact]
    public void Clusters_sharing_a_word_or_two_stay_unpaired_and_loose_pairs_are_marked_weak()
    {
        static ClusterResult Cluster(int id, params string[] terms) => new(id, 10, terms.Select(t => new TermWeight(t, 1)).ToList());
        var left = SyntheticRun.Create("left", 10) with
        {
            Clusters = [Cluster(0, "a", "b", "c", "d"), Cluster(1, "e", "f", "g", "h", "i"), Cluster(2, "p", "q", "r", "s", "t", "u", "v", "w")],
        };
        var right = SyntheticRun.Create("right", 10) with
        {
            Clusters = [Cluster(0, "a", "b", "c", "d"), Cluster(1, "e", "f", "x", "y", "z"), Cluster(2, "p", "m", "n", "o", "k", "l", "j", "x2")],
        };

        var pairs = RunComparison.PairClusters(left, right);

        Assert.Equal((0, 1.0, false), (pairs[0].Right!.Id, pairs[0].Overlap, pairs[0].IsWeak));   // the same theme
        Assert.Equal((1, 0.25, true), (pairs[1].Right!.Id, pairs[1].Overlap, pairs[1].IsWeak));   // 2 of 8 terms: weak
        Assert.Null(pairs[2].Right);                                                              // 1 of 15 (0.07): unpaired
    }

    /// <summary>
    /// Best pairs first, each cluster of the other run paired once: the left run's cluster 0 shares most with the right's
    /// cluster 0 (0.6), but that one is the left's cluster 1 found again (1.0). Taken in the left's order, or the right's
    /// cluster 0 given to both, the comparison would show one theme twice and hide another. The bounds are inclusive:
    /// exactly half the terms is a strong pair, exactly a fifth still a pair.
    /// </summary>
    [Fact]
    public void The_best_pairs_are_made_first_and_no_cluster_is_paired_twice()
    {
        static ClusterResult Cluster(int id, params string[] terms) => new(id, 10, terms.Select(t => new TermWeight(t, 1)).ToList());
        var left = SyntheticRun.Create("left", 10) with
        {
            Clusters = [Cluster(0, "a", "b", "c", "d"), Cluster(1, "a", "b", "c", "e"), Cluster(2, "q", "r", "s")],
        };
        var right = SyntheticRun.Create("right", 10) with
        {
            Clusters = [Cluster(0, "a", "b", "c", "e"), Cluster(1, "a", "b", "d", "z", "w"), Cluster(2, "q", "t", "u")],
        };

        var pairs = RunComparison.PairClusters(left, right);

        Assert.Equal([(1, 0.5, false), (0, 1.0, false), (2, 0.2, true)], pairs.Select(p => (p.Right!.Id, p.Overlap, p.IsWeak)));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Lambda_outside_0_to_1_is_refused(double lambda) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TopicRelevance.Rank(Matrix, 0, 0.5, lambda, 3));

    [Fact]
    public void Jensen_Shannon_is_0_for_equal_and_1_for_disjoint_distributions()
    {
        Assert.Equal(0, IntertopicMap.JensenShannonDivergence([0.5, 0.5], [0.5, 0.5]), 12);
        Assert.Equal(1, IntertopicMap.JensenShannonDivergence([1, 0], [0, 1]), 12);
    }

    [Fact]
    public void The_intertopic_map_keeps_distances_in_order()
    {
        var matrix = new TopicTermMatrix(["a", "b", "c"], [0.4, 0.3, 0.3],
        [
            new TopicTerms(0, [0.9, 0.05, 0.05]),
            new TopicTerms(1, [0.85, 0.1, 0.05]),
            new TopicTerms(2, [0.05, 0.05, 0.9]),
        ]);

        var points = IntertopicMap.Layout(matrix).ToDictionary(p => p.TopicId);
        double Distance(int i, int j) => Math.Sqrt(Math.Pow(points[i].X - points[j].X, 2) + Math.Pow(points[i].Y - points[j].Y, 2));

        Assert.True(Distance(0, 1) < Distance(0, 2) / 3, $"{Distance(0, 1)} vs {Distance(0, 2)}");
        // Classical MDS of a 3-point configuration reproduces the JS divergences' square roots exactly.
        Assert.Equal(Math.Sqrt(IntertopicMap.JensenShannonDivergence(matrix.Topics[0].Probabilities, matrix.Topics[2].Probabilities)), Distance(0, 2), 3);
    }

    [Fact]
    public void The_timeline_averages_a_topic_s_weight_per_publish_month()
    {
        DocumentResult Doc(string published, float weight) => new("d", null, null, published, null, null, 0, 0, 0, new Dictionary<int, float> { [3] = weight });
        var documents = TopicDocuments.Compute([Doc("2020-03-02", 0.2f), Doc("2020-03-30", 0.4f), Doc("2020-05-01", 1f), Doc("unknown", 1f)], 10);

        var months = documents.Timeline(3);
        Assert.Equal([new DateOnly(2020, 3, 1), new DateOnly(2020, 5, 1)], months.Select(m => m.Start));
        Assert.Equal(0.3, months[0].MeanWeight, 5);
        Assert.Equal(2, months[0].Documents);
        // A topic no document carries: the same months, at 0.
        Assert.Equal([0.0, 0.0], documents.Timeline(4).Select(m => m.MeanWeight));
    }

    [Fact]
    public void Each_topic_s_top_documents_are_its_heaviest_with_ties_by_id()
    {
        var run = SyntheticRun.Create("r", 3_000);
        // Ties: weights rounded to one decimal, so many documents share a weight and the ids decide.
        var documents = run.Documents.Select(d => d with { TopicWeights = d.TopicWeights.ToDictionary(w => w.Key, w => MathF.Round(w.Value, 1)) }).ToList();

        var found = TopicDocuments.Compute(documents, 10);

        foreach (var topic in run.Topics)
        {
            var expected = documents.Where(d => d.TopicWeights.GetValueOrDefault(topic.Id) > 0)
                .OrderByDescending(d => d.TopicWeights[topic.Id]).ThenBy(d => d.Id, StringComparer.Ordinal).Take(10);
            Assert.Equal(expected.Select(d => d.Id), found.Top(topic.Id).Select(d => d.Id));
        }
        Assert.Empty(found.Top(-1));
    }

    [Fact]
    public void The_map_payload_samples_reproducibly_and_keeps_every_cluster()
    {
        var run = SyntheticRun.Create("r", 10_000);

        var all = DocumentMapPayload.Build(run);
        var sample = DocumentMapPayload.Build(run, limit: 1_000);
        var again = DocumentMapPayload.Build(run, limit: 1_000);

        Assert.Equal(10_000, all.Shown);
        Assert.Equal(all.Total, all.Shown);
        Assert.Equal(1_000, sample.Shown);
        Assert.Equal(10_000, sample.Total);
        Assert.Equal(6, sample.Clusters.Count(c => c.Documents.Length > 100));
        Assert.Equal(sample.Clusters[0].Documents, again.Clusters[0].Documents);
        var cluster = sample.Clusters[2];
        var document = run.Documents[cluster.Documents[0]];
        Assert.Equal((cluster.ClusterId, document.X, document.Y), (document.Cluster, cluster.XY[0], cluster.XY[1]));
    }

    [Fact]
    public void The_binary_map_is_what_the_browser_reads()
    {
        var payload = DocumentMapPayload.Build(SyntheticRun.Create("r", 300));

        var bytes = payload.ToBinary();

        var fields = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes);
        Assert.Equal([DocumentMapPayload.Magic, DocumentMapPayload.Version, 300, 300, payload.Clusters.Count], fields[..5].ToArray());
        Assert.Equal(20 + payload.Clusters.Sum(c => 8 + 12 * c.Documents.Length), bytes.Length);
        var first = payload.Clusters[0];
        Assert.Equal((first.ClusterId, first.Documents.Length), (fields[5], fields[6]));
        Assert.Equal(first.XY[1], BitConverter.ToSingle(bytes, 28 + 4));
        Assert.Equal(first.Documents[0], fields[7 + first.XY.Length]);
    }

    [Fact]
    public void Run_problems_are_empty_for_a_good_run()
    {
        Assert.Empty(RunProblems.Find(SyntheticRun.Create("ok", 10)));
        var orphan = SyntheticRun.Create("orphan", 10);
        orphan = orphan with { Documents = orphan.Documents.Select(d => d with { Cluster = 99 }).ToList() };
        Assert.Contains(RunProblems.Find(orphan), p => p.Contains("clusters missing from clusters.json"));
    }
}
