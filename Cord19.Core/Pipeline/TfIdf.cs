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
        var frequency = new Dictionary<string, long>(StringComparer.Ordinal);
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tokens in documents)
        {
            seen.Clear();
            foreach (var t in tokens)
            {
                frequency[t] = frequency.GetValueOrDefault(t) + 1;
                if (seen.Add(t)) documentFrequency[t] = documentFrequency.GetValueOrDefault(t) + 1;
            }
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
        var counts = new SortedDictionary<int, float>();
        foreach (var t in tokens)
            if (_index.TryGetValue(t, out var i)) counts[i] = counts.GetValueOrDefault(i) + 1;
        return new SparseVector([.. counts.Keys], [.. counts.Values]);
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
