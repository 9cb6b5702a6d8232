using Cord19.Core.Numerics;
using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Tests.Support;

namespace Cord19.Tests.Pipeline;

/// <summary>The numerical pieces written here instead of taken from a library, checked against exact or planted answers.</summary>
public sealed class NumericsTests
{
    /// <summary>Rows spread along known directions (variances 25, 9, 1) plus small noise, as sparse vectors.</summary>
    private static List<SparseVector> Planted(int n, int columns, int seed)
    {
        var random = new Random(seed);
        var directions = new[] { 0, 1, 2 }.Select(d => Enumerable.Range(0, columns).Select(j => j % 3 == d ? 1.0 : 0).ToArray()).ToArray();
        foreach (var v in directions) { var norm = Math.Sqrt(v.Sum(x => x * x)); for (var j = 0; j < columns; j++) v[j] /= norm; }
        double[] scales = [5, 3, 1];
        return Enumerable.Range(0, n).Select(_ =>
        {
            var row = new float[columns];
            for (var d = 0; d < 3; d++)
            {
                var z = random.NextGaussian() * scales[d];
                for (var j = 0; j < columns; j++) row[j] += (float)(z * directions[d][j]);
            }
            for (var j = 0; j < columns; j++) row[j] += (float)(0.01 * random.NextGaussian());
            var indices = Enumerable.Range(0, columns).ToArray();
            return new SparseVector(indices, row);
        }).ToList();
    }

    [Fact]
    public void Randomized_pca_finds_the_planted_components_in_order_of_variance()
    {
        var rows = Planted(4_000, 30, seed: 1);

        var projected = RandomizedPca.Project(rows, columns: 30, dimensions: 3, seed: 7);

        var variances = Enumerable.Range(0, 3).Select(k => projected.Select(p => (double)p[k] * p[k]).Average()).ToArray();
        Assert.InRange(variances[0], 25 * 0.9, 25 * 1.1);
        Assert.InRange(variances[1], 9 * 0.9, 9 * 1.1);
        Assert.InRange(variances[2], 1 * 0.9, 1 * 1.1);
        // Uncorrelated components.
        var covariance = projected.Select(p => (double)p[0] * p[1]).Average();
        Assert.InRange(covariance, -0.3, 0.3);
    }

    [Fact]
    public void Vectorised_scaled_additions_give_the_plain_loops_bits_at_every_length()
    {
        var random = new Random(3);
        for (var length = 0; length <= 37; length++)
        {
            var floats = Enumerable.Range(0, length).Select(_ => (float)random.NextGaussian()).ToArray();
            var doubles = Enumerable.Range(0, length).Select(_ => random.NextGaussian()).ToArray();
            var start = Enumerable.Range(0, length).Select(_ => random.NextGaussian()).ToArray();
            var scale = random.NextGaussian();
            var (fromFloats, fromDoubles) = (start.ToArray(), start.ToArray());
            var (plainFloats, plainDoubles) = (start.ToArray(), start.ToArray());

            VectorMath.AddScaled(fromFloats, scale, floats);
            VectorMath.AddScaled(fromDoubles, scale, doubles);
            for (var a = 0; a < length; a++) { plainFloats[a] += scale * floats[a]; plainDoubles[a] += scale * doubles[a]; }

            Assert.Equal(plainFloats, fromFloats);
            Assert.Equal(plainDoubles, fromDoubles);
        }
    }

    [Fact]
    public void Kmeans_finds_planted_clusters_and_repeats_itself()
    {
        // Five tight blobs of different sizes far apart in 20 dimensions, the points shuffled.
        var random = new Random(4);
        var planted = Enumerable.Range(0, 3_000).Select(i => i % 7 < 3 ? 0 : i % 7 - 2).ToArray();
        random.Shuffle(planted);
        var points = planted.Select(c => Enumerable.Range(0, 20)
            .Select(d => (float)((d == c * 4 ? 10.0 : 0) + 0.3 * random.NextGaussian())).ToArray()).ToList();

        var found = KMeans.Cluster(points, k: 5, seed: 9);

        // The same partition, whatever the clusters' numbers: every planted blob maps to one found cluster and back.
        var pairs = planted.Zip(found).Distinct().ToList();
        Assert.Equal(5, pairs.Count);
        Assert.Equal(5, pairs.Select(p => p.Second).Distinct().Count());
        Assert.Equal(found, KMeans.Cluster(points, k: 5, seed: 9));
    }

    [Fact]
    public void Jacobi_gives_every_eigenpair_of_a_symmetric_matrix()
    {
        double[,] m = { { 4, 1, 0 }, { 1, 3, 1 }, { 0, 1, 2 } };

        var pairs = SymmetricEigen.All(m);

        Assert.Equal(3, pairs.Count);
        Assert.True(pairs[0].Value >= pairs[1].Value && pairs[1].Value >= pairs[2].Value);
        Assert.Equal(9, pairs.Sum(p => p.Value), 6); // the trace
        foreach (var (value, v) in pairs)
            for (var i = 0; i < 3; i++)
                Assert.Equal(value * v[i], Enumerable.Range(0, 3).Sum(j => m[i, j] * v[j]), 6);
    }

    [Fact]
    public void Gibbs_lda_recovers_planted_topics_and_repeats_itself()
    {
        // Two topics over disjoint vocabularies; every document mostly one of them.
        var random = new Random(3);
        var documents = Enumerable.Range(0, 300).Select(d =>
        {
            var main = d % 2;
            var counts = new float[20];
            for (var t = 0; t < 60; t++)
            {
                var topic = random.NextDouble() < 0.9 ? main : 1 - main;
                counts[topic * 10 + random.Next(10)]++;
            }
            var indices = Enumerable.Range(0, 20).Where(j => counts[j] > 0).ToArray();
            return new SparseVector(indices, indices.Select(j => counts[j]).ToArray());
        }).ToList();

        var model = TopicModel.Run(documents, vocabulary: 20, topics: 2, iterations: 50, topTerms: 10, seed: 5);
        var again = TopicModel.Run(documents, vocabulary: 20, topics: 2, iterations: 50, topTerms: 10, seed: 5);

        var halves = model.Topics.Select(t => t.TopTerms.Select(x => x.Term / 10).Distinct().Single()).Order().ToArray();
        Assert.Equal([0, 1], halves);
        Assert.All(model.Topics, t => Assert.Equal(1, t.Distribution.Sum(), 6));
        var first = model.Topics.Select(t => t.TopTerms[0].Term).ToArray();
        Assert.Equal(first, again.Topics.Select(t => t.TopTerms[0].Term).ToArray());
        Assert.Equal(model.DocumentWeights[0], again.DocumentWeights[0]);
        // Documents lean to their main topic.
        var mainTopic = model.Topics.Select((t, i) => (t.TopTerms[0].Term / 10, i)).ToDictionary(p => p.Item1, p => p.i);
        var agree = documents.Select((_, d) => model.DocumentWeights[d][mainTopic[d % 2]] > 0.5).Count(x => x);
        Assert.True(agree > 280, $"{agree} of 300 documents lean to their main topic");
    }

    [Fact]
    public void Lda_samples_every_document_when_there_are_fewer_than_its_lanes()
    {
        // The sampler takes eight documents at a time; lanes left without one must not move any counts, and no
        // document may keep its random start (an even split).
        var documents = new[] { 0, 1, 0, 1, 0 }.Select(term => new SparseVector([term], [50f])).ToList();

        var model = TopicModel.Run(documents, vocabulary: 2, topics: 2, iterations: 50, topTerms: 2, seed: 3);

        Assert.All(model.DocumentWeights, weights => Assert.True(weights.Max() > 0.9, $"weights {string.Join(", ", weights)}"));
    }

    [Fact]
    public void Sparse_counts_and_weights_match_the_dense_definitions()
    {
        var (stems, documents) = Stemmed.Of([["virus", "cell", "virus", "mask"], ["mask", "mask", "cell"], ["virus"], ["unknown"]]);
        var tfidf = TfIdf.Fit(documents[..3], stems, maxFeatures: 10);

        // "unknown" is numbered in the table but in none of the fitted documents: no term of its own.
        var counts = tfidf.Counts([stems.Find("virus"), stems.Find("cell"), stems.Find("virus"), stems.Find("unknown")]);
        var weights = tfidf.Weigh(counts);

        Assert.Equal(tfidf.Terms.Select((t, i) => t == "virus" ? 2f : t == "cell" ? 1f : 0f).ToArray(), counts.ToDense(tfidf.Dimensions));
        Assert.Equal(1, Math.Sqrt(weights.Values.Sum(v => v * v)), 5);
        var virus = tfidf.Terms.ToList().IndexOf("virus");
        var cell = tfidf.Terms.ToList().IndexOf("cell");
        // sklearn: idf = ln((1+n)/(1+df)) + 1, both terms in 2 of 3 documents.
        var dense = weights.ToDense(tfidf.Dimensions);
        Assert.Equal(2.0, dense[virus] / dense[cell], 5);
    }

    [Fact]
    public void The_vocabulary_and_counts_do_not_depend_on_the_order_stems_were_numbered_in()
    {
        // Pre-processing's threads number stems in whichever order they meet them. Ties in frequency ("cell", "mask",
        // "virus" twice each) are broken by the stems' characters, so the cut at two features is the same either way.
        string[][] documents = [["virus", "cell", "mask"], ["mask", "cell", "virus", "rare"]];
        var inOrder = Stemmed.Of(documents);
        var reversed = new StemTable();
        foreach (var stem in documents.SelectMany(d => d).Distinct().Reverse()) reversed.IdOf(stem);
        var reversedDocuments = documents.Select(d => d.Select(reversed.IdOf).ToArray()).ToArray();

        var first = TfIdf.Fit(inOrder.Documents, inOrder.Stems, maxFeatures: 2);
        var second = TfIdf.Fit(reversedDocuments, reversed, maxFeatures: 2);

        Assert.Equal(["cell", "mask"], first.Terms);
        Assert.Equal(first.Terms, second.Terms);
        Assert.Equal(first.Idf, second.Idf);
        Assert.Equal(first.Counts(inOrder.Documents[1]).ToDense(2), second.Counts(reversedDocuments[1]).ToDense(2));
    }

    [Fact]
    public void A_sampled_map_keeps_clusters_apart_and_places_every_document()
    {
        var random = new Random(2);
        var points = Enumerable.Range(0, 12_000).Select(i =>
            Enumerable.Range(0, 8).Select(j => (float)((j == i % 3 ? 6 : 0) + random.NextGaussian())).ToArray()).ToList();
        var clusters = Enumerable.Range(0, points.Count).Select(i => i % 3).ToArray();

        var map = SampledTsne.Embed(points, clusters, seed: 1, CancellationToken.None);

        Assert.All(map, p => Assert.True(float.IsFinite(p.X) && float.IsFinite(p.Y)));
        // Each cluster's centre is further from the others than the cluster's own spread.
        var centres = Enumerable.Range(0, 3).Select(c => (X: map.Where((_, i) => clusters[i] == c).Average(p => p.X), Y: map.Where((_, i) => clusters[i] == c).Average(p => p.Y))).ToArray();
        var spread = Enumerable.Range(0, 3).Average(c => map.Where((_, i) => clusters[i] == c).Average(p => Math.Sqrt(Math.Pow(p.X - centres[c].X, 2) + Math.Pow(p.Y - centres[c].Y, 2))));
        for (var a = 0; a < 3; a++)
            for (var b = a + 1; b < 3; b++)
                Assert.True(Math.Sqrt(Math.Pow(centres[a].X - centres[b].X, 2) + Math.Pow(centres[a].Y - centres[b].Y, 2)) > 2 * spread);
        Assert.True(QualityMetrics.NeighbourPreservation(points, map, k: 10, sample: 500, seed: 1) > 10.0 / 500 * 3,
            "far better than random placement");
    }
}
