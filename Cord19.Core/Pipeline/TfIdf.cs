namespace Cord19.Core.Pipeline;

/// <summary>
/// TF-IDF with scikit-learn's TfidfVectorizer semantics (max_features by corpus term frequency, smooth idf
/// ln((1+n)/(1+df))+1, raw counts, L2 normalisation), so that our figures compare with the seed's.
/// Written here because ML.NET's text featurizer re-tokenises and picks features by its own rules.
/// </summary>
public sealed class TfIdf
{
    private readonly Dictionary<string, int> _index;

    private TfIdf(string[] terms, float[] idf)
    {
        Terms = terms;
        Idf = idf;
        _index = terms.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Terms { get; }
    public float[] Idf { get; }
    public int Dimensions => Terms.Count;

    public static TfIdf Fit(IReadOnlyList<IReadOnlyList<string>> documents, int maxFeatures)
    {
        // Counted per chunk of documents on every core, then added up: sums do not depend on the order.
        var parts = Enumerable.Range(0, Environment.ProcessorCount).AsParallel().Select(part =>
        {
            // Each term remembers the last document it was counted in, so a document's first use of it is found by
            // the same lookup that counts it, not by a set of the document's terms (which took a second hash a token).
            var frequency = new Dictionary<string, (long Tokens, int Documents, int LastDocument)>(StringComparer.Ordinal);
            for (var d = part; d < documents.Count; d += Environment.ProcessorCount)
                foreach (var t in documents[d])
                {
                    ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(frequency, t, out var exists);
                    entry.Tokens++;
                    if (exists && entry.LastDocument == d) continue;
                    entry.Documents++;
                    entry.LastDocument = d;
                }
            return frequency;
        }).ToList();
        var frequency = new Dictionary<string, long>(StringComparer.Ordinal);
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var part in parts)
            foreach (var (term, (tokens, docs, _)) in part)
            {
                frequency[term] = frequency.GetValueOrDefault(term) + tokens;
                documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + docs;
            }

        var terms = frequency.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(maxFeatures).Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        var n = documents.Count;
        var idf = terms.Select(t => (float)(Math.Log((1.0 + n) / (1.0 + documentFrequency[t])) + 1.0)).ToArray();
        return new TfIdf(terms, idf);
    }

    /// <summary>Raw term counts over the vocabulary (what LDA wants).</summary>
    public SparseVector Counts(IReadOnlyList<string> tokens)
    {
        Span<int> found = tokens.Count <= 1_024 ? stackalloc int[tokens.Count] : new int[tokens.Count];
        var n = 0;
        foreach (var t in tokens)
            if (_index.TryGetValue(t, out var i)) found[n++] = i;
        found = found[..n];
        found.Sort();
        var distinct = 0;
        for (var i = 0; i < n; i++)
            if (i == 0 || found[i] != found[i - 1]) distinct++;
        var indices = new int[distinct];
        var values = new float[distinct];
        for (int i = 0, at = -1; i < n; i++)
        {
            if (i == 0 || found[i] != found[i - 1]) indices[++at] = found[i];
            values[at]++;
        }
        return new SparseVector(indices, values);
    }

    /// <summary>L2-normalised TF-IDF (what clustering wants) from a document's <see cref="Counts"/>, which are left unchanged.</summary>
    public SparseVector Weigh(SparseVector counts)
    {
        var v = new float[counts.Count];
        double norm = 0;
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = counts.Values[i] * Idf[counts.Indices[i]];
            norm += v[i] * v[i];
        }
        if (norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < v.Length; i++) v[i] *= scale;
        }
        return new SparseVector(counts.Indices, v);
    }
}
