using Cord19.Core.Pipeline;
using Cord19.Tests.Support;

namespace Cord19.Tests.Pipeline;

public sealed class QualityMetricsTests
{
    [Fact]
    public void Silhouette_is_near_1_for_separated_clusters_and_near_0_for_mixed_ones()
    {
        var random = new Random(3);
        var separated = new List<float[]>();
        var labels = new List<int>();
        for (var i = 0; i < 300; i++)
        {
            var c = i % 3;
            var v = new float[5];
            v[c] = 10;
            for (var j = 0; j < 5; j++) v[j] += (float)random.NextDouble() * 0.1f;
            separated.Add(v);
            labels.Add(c);
        }
        var shuffled = labels.ToArray();
        random.Shuffle(shuffled);

        Assert.InRange(QualityMetrics.Silhouette(separated, labels.ToArray(), 1_000, 1), 0.9, 1.0);
        Assert.InRange(QualityMetrics.Silhouette(separated, shuffled, 1_000, 1), -0.1, 0.1);
    }

    [Fact]
    public void UMass_coherence_prefers_words_that_appear_together()
    {
        var (stems, documents) = Stemmed.Of(
        [
            ["vaccine", "dose", "trial"], ["vaccine", "dose"], ["vaccine", "dose", "antibody"],
            ["school", "teacher"], ["school", "teacher", "online"], ["school", "mask"],
        ]);
        var together = QualityMetrics.UMassCoherence([["vaccine", "dose"]], documents, stems);
        var apart = QualityMetrics.UMassCoherence([["vaccine", "teacher"]], documents, stems);

        Assert.True(together > apart, $"{together} vs {apart}");
        Assert.Equal(Math.Log(4.0 / 3), together, 9);
    }

    [Fact]
    public void UMass_coherence_counts_documents_in_common_exactly_past_the_first_machine_words()
    {
        // 9,000 documents (141 machine words of bits, several blocks), words drawn with different frequencies and
        // one top word that no document holds: the figure must be the definition's, computed here with sets.
        var random = new Random(11);
        string[] vocabulary = ["a", "b", "c", "d", "e", "f", "g"];
        var documents = Enumerable.Range(0, 9_000).Select(_ =>
            (IReadOnlyList<string>)vocabulary.Where((_, w) => random.NextDouble() < 0.5 / (w + 1)).ToList()).ToList();
        IReadOnlyList<string>[] topics = [["a", "b", "c", "d"], ["e", "f", "g", "never"], ["b", "g"]];

        var expected = topics.Select(words =>
        {
            var sets = words.Select(w => Enumerable.Range(0, documents.Count).Where(d => documents[d].Contains(w)).ToHashSet()).ToList();
            double score = 0;
            for (var i = 1; i < words.Count; i++)
                for (var j = 0; j < i; j++)
                    if (sets[j].Count > 0) score += Math.Log((sets[i].Count(sets[j].Contains) + 1.0) / sets[j].Count);
            return score / (words.Count * (words.Count - 1) / 2.0);
        }).Average();

        var (stems, numbered) = Stemmed.Of(documents);
        Assert.Equal(expected, QualityMetrics.UMassCoherence(topics, numbered, stems), 12);
    }

    [Fact]
    public void A_map_that_keeps_distances_keeps_every_neighbourhood_and_a_shuffled_one_does_not()
    {
        var random = new Random(5);
        var points = Enumerable.Range(0, 400).Select(_ => new[] { (float)random.NextDouble(), (float)random.NextDouble() }).ToList();
        var same = points.Select(p => (p[0], p[1])).ToList();
        var shuffled = same.ToArray();
        random.Shuffle(shuffled);

        Assert.Equal(1.0, QualityMetrics.NeighbourPreservation(points, same, 10, 1_000, 1), 6);
        Assert.InRange(QualityMetrics.NeighbourPreservation(points, shuffled, 10, 1_000, 1), 0, 0.1);
    }
}
