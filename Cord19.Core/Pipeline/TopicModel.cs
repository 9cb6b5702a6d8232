namespace Cord19.Core.Pipeline;

/// <summary>
/// LDA by collapsed Gibbs sampling (Griffiths and Steyvers, 2004) over term counts; the seed fits one model per
/// cluster. Written here rather than using ML.NET's LightLDA, which we used first and measured: its native
/// trainer serialises concurrent models behind one lock (two models on two cores took as long as one after the
/// other) and spent about 200 ns per token and iteration at 5 topics; this sampler spends a few ns per topic
/// per token, and runs one model per core. Seeded and single-threaded per model: the same topics run after run.
/// </summary>
public static class TopicModel
{
    /// <param name="Distribution">P(term | topic) over the whole vocabulary.</param>
    public sealed record Topic(IReadOnlyList<(int Term, double Weight)> TopTerms, double[] Distribution);

    public sealed record Output(IReadOnlyList<Topic> Topics, IReadOnlyList<float[]> DocumentWeights);

    /// <summary>Symmetric Dirichlet priors: sparse topic mixtures per document, sparse term mixtures per topic.</summary>
    public const double Alpha = 0.1, Beta = 0.01;

    public static Output Run(IReadOnlyList<SparseVector> counts, int vocabulary, int topics, int iterations, int topTerms, int seed)
    {
        var (words, starts) = Tokens(counts);
        var k = topics;
        var assignment = new byte[words.Length];
        var wordTopic = new int[vocabulary * k];
        var topicTotal = new int[k];
        var docTopic = new int[counts.Count * k];
        var random = new XorShift(seed);

        for (var d = 0; d < counts.Count; d++)
            for (var i = starts[d]; i < starts[d + 1]; i++)
            {
                var z = (byte)random.Below(k);
                assignment[i] = z;
                wordTopic[words[i] * k + z]++;
                topicTotal[z]++;
                docTopic[d * k + z]++;
            }

        var vBeta = vocabulary * Beta;
        var weights = new double[k];
        // 1 / (n_t + Vβ), kept up to date as counts move: a multiplication per topic instead of a division.
        var inverse = new double[k];
        for (var t = 0; t < k; t++) inverse[t] = 1 / (topicTotal[t] + vBeta);
        for (var iteration = 0; iteration < iterations; iteration++)
            for (var d = 0; d < counts.Count; d++)
            {
                var doc = d * k;
                for (var i = starts[d]; i < starts[d + 1]; i++)
                {
                    var w = words[i] * k;
                    int z = assignment[i];
                    wordTopic[w + z]--;
                    inverse[z] = 1 / (--topicTotal[z] + vBeta);
                    docTopic[doc + z]--;
                    double total = 0;
                    for (var t = 0; t < k; t++)
                        weights[t] = total += (docTopic[doc + t] + Alpha) * (wordTopic[w + t] + Beta) * inverse[t];
                    var u = random.NextDouble() * total;
                    z = 0;
                    while (z < k - 1 && weights[z] < u) z++;
                    assignment[i] = (byte)z;
                    wordTopic[w + z]++;
                    inverse[z] = 1 / (++topicTotal[z] + vBeta);
                    docTopic[doc + z]++;
                }
            }

        var summaries = Enumerable.Range(0, k).Select(t =>
        {
            var distribution = new double[vocabulary];
            for (var j = 0; j < vocabulary; j++) distribution[j] = (wordTopic[j * k + t] + Beta) / (topicTotal[t] + vBeta);
            var top = Enumerable.Range(0, vocabulary).OrderByDescending(j => distribution[j]).ThenBy(j => j)
                .Take(topTerms).Select(j => (j, distribution[j])).ToList();
            return new Topic(top, distribution);
        }).ToList();
        var documentWeights = Enumerable.Range(0, counts.Count).Select(d =>
        {
            var length = starts[d + 1] - starts[d];
            return Enumerable.Range(0, k).Select(t => (float)((docTopic[d * k + t] + Alpha) / (length + k * Alpha))).ToArray();
        }).ToList();
        return new Output(summaries, documentWeights);
    }

    private static (int[] Words, int[] Starts) Tokens(IReadOnlyList<SparseVector> counts)
    {
        var starts = new int[counts.Count + 1];
        for (var d = 0; d < counts.Count; d++)
            starts[d + 1] = starts[d] + (int)counts[d].Values.Sum();
        var words = new int[starts[^1]];
        for (var d = 0; d < counts.Count; d++)
        {
            var at = starts[d];
            for (var e = 0; e < counts[d].Count; e++)
                for (var c = 0; c < (int)counts[d].Values[e]; c++) words[at++] = counts[d].Indices[e];
        }
        return (words, starts);
    }

    /// <summary>xorshift64*: fast, and the same numbers for the same seed on every platform.</summary>
    private struct XorShift(int seed)
    {
        private ulong _state = (ulong)seed * 0x9E3779B97F4A7C15UL + 0x2545F4914F6CDD1DUL;

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        public int Below(int n) => (int)(Next() % (ulong)n);

        private ulong Next()
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            return _state * 0x2545F4914F6CDD1DUL;
        }
    }
}
