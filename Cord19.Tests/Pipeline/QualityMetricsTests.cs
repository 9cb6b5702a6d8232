using Cord19.Core.Pipeline;

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
        IReadOnlyList<string>[] documents =
        [
            ["vaccine", "dose", "trial"], ["vaccine", "dose"], ["vaccine", "dose", "antibody"],
            ["school", "teacher"], ["school", "teacher", "online"], ["school", "mask"],
        ];
        var together = QualityMetrics.UMassCoherence([["vaccine", "dose"]], documents);
        var apart = QualityMetrics.UMassCoherence([["vaccine", "teacher"]], documents);

        Assert.True(together > apart, $"{together} vs {apart}");
        Assert.Equal(Math.Log(4.0 / 3), together, 9);
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
