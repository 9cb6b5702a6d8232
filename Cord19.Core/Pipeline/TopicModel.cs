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
        Span<double> weightsA = stackalloc double[k], weightsB = stackalloc double[k];
        // 1 / (n_t + Vβ), taken once per pair of documents rather than after every move. Kept up to date, it ties the
        // two documents' draws (below) back into one chain: 24.5 ns a token against 14.9 so, measured on 6,000
        // documents of 100 tokens. The price is a denominator a pair's length stale: on the real corpus a pair is
        // about 220 counted tokens (112 a document on average) against some 13,000 a topic on average in the smallest cluster
        // (572 documents), under 2% (AD-LDA's samplers run on counts staler than that).
        Span<double> inverse = stackalloc double[k];
        var sampler = new Sampler(words, assignment, wordTopic, topicTotal, docTopic, k);
        for (var iteration = 0; iteration < iterations; iteration++)
            for (var d = 0; d < counts.Count; d += 2)
            {
                for (var t = 0; t < k; t++) inverse[t] = 1 / (topicTotal[t] + vBeta);
                // Two documents at a time, a token of each in turn: each token's draw waits for the one before it in
                // its document (their topic counts), but not for the other document's, so the core works on both at
                // once. Still one token after another, a Gibbs sweep in another order.
                int a = starts[d], aEnd = starts[d + 1];
                int b = d + 1 < counts.Count ? starts[d + 1] : aEnd, bEnd = d + 1 < counts.Count ? starts[d + 2] : aEnd;
                var docA = d * k;
                var docB = docA + k;
                while (a < aEnd && b < bEnd)
                {
                    sampler.Draw(a++, docA, inverse, weightsA, ref random);
                    sampler.Draw(b++, docB, inverse, weightsB, ref random);
                }
                while (a < aEnd) sampler.Draw(a++, docA, inverse, weightsA, ref random);
                while (b < bEnd) sampler.Draw(b++, docB, inverse, weightsB, ref random);
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

    /// <summary>One collapsed Gibbs draw: token i leaves its topic and takes one drawn from the others' counts.</summary>
    private readonly struct Sampler(int[] words, byte[] assignment, int[] wordTopic, int[] topicTotal, int[] docTopic, int k)
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Draw(int i, int doc, ReadOnlySpan<double> inverse, Span<double> weights, ref XorShift random)
        {
            var w = words[i] * k;
            int z = assignment[i];
            wordTopic[w + z]--;
            topicTotal[z]--;
            docTopic[doc + z]--;
            double total = 0;
            for (var t = 0; t < k; t++)
                weights[t] = total += (docTopic[doc + t] + Alpha) * (wordTopic[w + t] + Beta) * inverse[t];
            var u = random.NextDouble() * total;
            // The cumulative weights rise, so the topic is how many of them u passes: counted without a branch.
            z = 0;
            for (var t = 0; t < k - 1; t++) z += weights[t] < u ? 1 : 0;
            assignment[i] = (byte)z;
            wordTopic[w + z]++;
            topicTotal[z]++;
            docTopic[doc + z]++;
        }
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
