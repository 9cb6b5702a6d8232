using Cord19.Core.Results;

namespace Cord19.Core.Pipeline;

/// <summary>
/// TF-IDF with scikit-learn's TfidfVectorizer semantics (max_features by corpus term frequency, smooth idf
/// ln((1+n)/(1+df))+1, raw counts, L2 normalisation), so that our figures compare with the seed's.
/// Written here because ML.NET's text featurizer re-tokenises and picks features by its own rules.
/// </summary>
public sealed class TfIdf
{
    // A stem's number (see StemTable) to its term's index, -1 for stems outside the vocabulary.
    private readonly int[] _termOfStem;

    private TfIdf(string[] terms, float[] idf, int[] termOfStem)
    {
        Terms = terms;
        Idf = idf;
        _termOfStem = termOfStem;
    }

    public IReadOnlyList<string> Terms { get; }
    public float[] Idf { get; }
    public int Dimensions => Terms.Count;

    /// <param name="documents">Each document's stems, as their numbers in <paramref name="stems"/>.</param>
    public static TfIdf Fit(IReadOnlyList<int[]> documents, StemTable stems, int maxFeatures)
    {
        // Counted per chunk of documents on every core, then added up: sums do not depend on the order.
        var parts = Enumerable.Range(0, Environment.ProcessorCount).AsParallel().Select(part =>
        {
            // Each stem remembers the last document it was counted in, so a document's first use of it is found by
            // the same array read that counts it, not by a set of the document's stems.
            var tokens = new long[stems.Count];
            var inDocuments = new int[stems.Count];
            var lastDocument = new int[stems.Count];
            Array.Fill(lastDocument, -1);
            for (var d = part; d < documents.Count; d += Environment.ProcessorCount)
                foreach (var t in documents[d])
                {
                    tokens[t]++;
                    if (lastDocument[t] == d) continue;
                    inDocuments[t]++;
                    lastDocument[t] = d;
                }
            return (tokens, inDocuments);
        }).ToList();
        var frequency = new long[stems.Count];
        var documentFrequency = new int[stems.Count];
        foreach (var (tokens, inDocuments) in parts)
            for (var t = 0; t < stems.Count; t++)
            {
                frequency[t] += tokens[t];
                documentFrequency[t] += inDocuments[t];
            }

        // By frequency, ties by the stem's characters (stems' numbers depend on which thread met them first).
        var chosen = Enumerable.Range(0, stems.Count).Where(t => frequency[t] > 0)
            .OrderByDescending(t => frequency[t]).ThenBy(t => stems[t], StringComparer.Ordinal)
            .Take(maxFeatures).OrderBy(t => stems[t], StringComparer.Ordinal).ToArray();
        var n = documents.Count;
        var idf = chosen.Select(t => (float)(Math.Log((1.0 + n) / (1.0 + documentFrequency[t])) + 1.0)).ToArray();
        var termOfStem = new int[stems.Count];
        Array.Fill(termOfStem, -1);
        for (var i = 0; i < chosen.Length; i++) termOfStem[chosen[i]] = i;
        return new TfIdf(chosen.Select(t => stems[t]).ToArray(), idf, termOfStem);
    }

    /// <summary>Raw term counts over the vocabulary (what LDA wants), from a document's stem numbers in the table it was fitted on (as it was then).</summary>
    public SparseVector Counts(int[] tokens)
    {
        Span<int> found = tokens.Length <= 1_024 ? stackalloc int[tokens.Length] : new int[tokens.Length];
        var n = 0;
        foreach (var t in tokens)
            if (_termOfStem[t] is var i and >= 0) found[n++] = i;
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
