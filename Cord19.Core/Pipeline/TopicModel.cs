using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cord19.Core.Pipeline;

/// <summary>
/// LDA by collapsed Gibbs sampling (Griffiths and Steyvers, 2004) over term counts; the seed fits one model per
/// cluster. Written here rather than using ML.NET's LightLDA, which we used first and measured: its native
/// trainer serialises concurrent models behind one lock (two models on two cores took as long as one after the
/// other) and spent about 200 ns per token and iteration at 5 topics; this sampler spends 11-14 ns per token at
/// 5 topics, and runs one model per core. Seeded and single-threaded per model: the same topics run after run, on
/// any CPU (the lanes' arithmetic is the same with or without vector hardware).
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
        ArgumentOutOfRangeException.ThrowIfGreaterThan(topics, TopicMask);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vocabulary, int.MaxValue >> TopicBits);
        var (tokens, starts) = Tokens(counts);
        var k = topics;
        var wordTopic = new int[vocabulary * k];
        var topicTotal = new int[k];
        var docTopic = new int[counts.Count * k];
        var random = new XorShift(seed);

        for (var d = 0; d < counts.Count; d++)
            for (var i = starts[d]; i < starts[d + 1]; i++)
            {
                var z = random.Below(k);
                tokens[i] |= z;
                wordTopic[(tokens[i] >>> TopicBits) * k + z]++;
                topicTotal[z]++;
                docTopic[d * k + z]++;
            }

        var vBeta = vocabulary * Beta;
        var sampler = new LaneSampler(tokens, starts, wordTopic, topicTotal, docTopic, k, vBeta, seed);
        for (var iteration = 0; iteration < iterations; iteration++) sampler.Sweep();

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

    /// <summary>A token is its term shifted left by this many bits, its topic in the bits below: one gather reads both.</summary>
    private const int TopicBits = 8, TopicMask = (1 << TopicBits) - 1;

    private static (int[] Tokens, int[] Starts) Tokens(IReadOnlyList<SparseVector> counts)
    {
        var starts = new int[counts.Count + 1];
        for (var d = 0; d < counts.Count; d++)
            starts[d + 1] = starts[d] + (int)counts[d].Values.Sum();
        // One more slot: lanes without a document read it.
        var tokens = new int[starts[^1] + 1];
        for (var d = 0; d < counts.Count; d++)
        {
            var at = starts[d];
            for (var e = 0; e < counts[d].Count; e++)
                for (var c = 0; c < (int)counts[d].Values[e]; c++) tokens[at++] = counts[d].Indices[e] << TopicBits;
        }
        return (tokens, starts);
    }

    /// <summary>
    /// Collapsed Gibbs sweeps, eight documents at a time, one in each lane of a vector register: each lane draws its
    /// document's next token from the counts as they stand. Within a document each draw waits for the one before it
    /// (its topic counts), so one document at a time leaves the core waiting; eight side by side keep it busy. Lanes
    /// that draw the same term in the same step see each other's term counts one draw stale, and the topic totals are
    /// brought up to date every <see cref="RefreshSteps"/> steps, as AD-LDA's samplers run on stale counts.
    /// </summary>
    private sealed class LaneSampler(int[] tokens, int[] starts, int[] wordTopic, int[] topicTotal, int[] docTopic, int k, double vBeta, int seed)
    {
        private const int Lanes = 8, RefreshSteps = 32;
        private LaneRandom _random = new(seed);

        public unsafe void Sweep()
        {
            // Addresses for AVX2's gather, which .NET offers only on pointers: 11.1 ns a token against 13.8 with eight
            // loads per vector, on the largest cluster of the synthetic 100k (3.5 million tokens).
            fixed (int* termCounts = wordTopic, tokenAt = tokens)
                Sweep(termCounts, tokenAt);
        }

        private unsafe void Sweep(int* termCounts, int* tokenAt)
        {
            // Pointers to the stack: the lanes' bookkeeping is read and written every step, without bounds checks.
            int* doc = stackalloc int[Lanes], position = stackalloc int[Lanes], end = stackalloc int[Lanes];
            int* rowBase = stackalloc int[Lanes], drawn = stackalloc int[Lanes], current = stackalloc int[Lanes];
            // Each topic's count in each lane's document, one vector a topic.
            var laneCounts = stackalloc Vector256<int>[k];
            var change = stackalloc Vector256<int>[k];
            var cumulative = stackalloc Vector256<float>[k];
            var inverse = stackalloc float[k];
            // The language leaves stackalloc's memory undefined; the totals' changes must start at zero. (Take fills
            // the lanes' counts; a lane without a document draws from whatever is there, and its draws are masked.)
            for (var t = 0; t < k; t++) change[t] = Vector256<int>.Zero;
            var documents = starts.Length - 1;
            var next = 0;
            var active = 0;
            for (var lane = 0; lane < Lanes; lane++)
                if (Take(lane, (int*)laneCounts, doc, position, end, ref next, documents)) active++;
            var alpha = Vector256.Create((float)Alpha);
            var beta = Vector256.Create((float)Beta);
            // A local copy: the generator's state stays in registers instead of going back to the heap every step.
            var random = _random;
            for (var step = 0; active > 0; step++)
            {
                if (step % RefreshSteps == 0) Refresh(change, inverse);
                var live = Vector256.GreaterThanOrEqual(Vector256.Load(doc), Vector256<int>.Zero);
                var token = Gather(tokenAt, Vector256.Load(position));
                var rows = (token >>> TopicBits) * Vector256.Create(k);
                token.Store(current);
                rows.Store(rowBase);
                var old = token & Vector256.Create(TopicMask);
                var total = Vector256<float>.Zero;
                for (var t = 0; t < k; t++)
                {
                    // Equals gives -1 where true: adding it takes the token out of its own counts.
                    var own = Vector256.Equals(old, Vector256.Create(t));
                    var inDocument = laneCounts[t] + own;
                    var inTerm = Gather(termCounts, rows + Vector256.Create(t)) + own;
                    total += (Vector256.ConvertToSingle(inDocument) + alpha) * (Vector256.ConvertToSingle(inTerm) + beta) * Vector256.Create(inverse[t]);
                    cumulative[t] = total;
                }
                var u = random.NextFloats() * total;
                // The cumulative weights rise, so the topic is how many of them u passes.
                var topic = Vector256<int>.Zero;
                for (var t = 0; t < k - 1; t++) topic -= Vector256.LessThan(cumulative[t], u).AsInt32();
                for (var t = 0; t < k; t++)
                {
                    var moved = (Vector256.Equals(old, Vector256.Create(t)) - Vector256.Equals(topic, Vector256.Create(t))) & live;
                    laneCounts[t] += moved;
                    change[t] += moved;
                }
                topic.Store(drawn);
                for (var lane = 0; lane < Lanes; lane++)
                {
                    if (doc[lane] < 0) continue;
                    termCounts[rowBase[lane] + (current[lane] & TopicMask)]--;
                    termCounts[rowBase[lane] + drawn[lane]]++;
                    tokenAt[position[lane]] = current[lane] & ~TopicMask | drawn[lane];
                    if (++position[lane] < end[lane]) continue;
                    for (var t = 0; t < k; t++) docTopic[doc[lane] * k + t] = ((int*)laneCounts)[t * Lanes + lane];
                    if (!Take(lane, (int*)laneCounts, doc, position, end, ref next, documents)) active--;
                }
            }
            Refresh(change, inverse);
            _random = random;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe Vector256<int> Gather(int* at, Vector256<int> index) =>
            Avx2.IsSupported ? Avx2.GatherVector256(at, index, 4)
                : Vector256.Create(at[index[0]], at[index[1]], at[index[2]], at[index[3]], at[index[4]], at[index[5]], at[index[6]], at[index[7]]);

        /// <summary>Gives the lane the next document with tokens; false when there is none (the lane reads the spare slot).</summary>
        private unsafe bool Take(int lane, int* laneCounts, int* doc, int* position, int* end, ref int next, int documents)
        {
            while (next < documents && starts[next] == starts[next + 1]) next++;
            if (next == documents)
            {
                doc[lane] = -1;
                position[lane] = tokens.Length - 1;
                return false;
            }
            doc[lane] = next;
            position[lane] = starts[next];
            end[lane] = starts[next + 1];
            for (var t = 0; t < k; t++) laneCounts[t * Lanes + lane] = docTopic[next * k + t];
            next++;
            return true;
        }

        private unsafe void Refresh(Vector256<int>* change, float* inverse)
        {
            for (var t = 0; t < k; t++)
            {
                topicTotal[t] += Vector256.Sum(change[t]);
                change[t] = Vector256<int>.Zero;
                inverse[t] = (float)(1 / (topicTotal[t] + vBeta));
            }
        }
    }

    /// <summary>xorshift128 in each lane, seeded from xorshift64*: eight streams of floats in [0, 1).</summary>
    private struct LaneRandom
    {
        private Vector256<uint> _x, _y, _z, _w;

        public LaneRandom(int seed)
        {
            var scalar = new XorShift(seed ^ 0x5EED);
            Span<uint> state = stackalloc uint[4 * 8];
            for (var i = 0; i < state.Length; i++)
                do state[i] = (uint)scalar.Below(int.MaxValue); while (state[i] == 0);
            _x = Vector256.Create<uint>(state[..8]);
            _y = Vector256.Create<uint>(state[8..16]);
            _z = Vector256.Create<uint>(state[16..24]);
            _w = Vector256.Create<uint>(state[24..]);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> NextFloats()
        {
            var t = _x ^ (_x << 11);
            _x = _y;
            _y = _z;
            _z = _w;
            _w = _w ^ (_w >> 19) ^ t ^ (t >> 8);
            return Vector256.ConvertToSingle((_w >> 8).AsInt32()) * Vector256.Create(1f / (1 << 24));
        }
    }

    /// <summary>xorshift64*: fast, and the same numbers for the same seed on every platform.</summary>
    private struct XorShift(int seed)
    {
        private ulong _state = (ulong)seed * 0x9E3779B97F4A7C15UL + 0x2545F4914F6CDD1DUL;

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
