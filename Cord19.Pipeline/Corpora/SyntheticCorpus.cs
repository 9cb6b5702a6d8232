using System.Text.RegularExpressions;
using Cord19.Core.Pipeline;

namespace Cord19.Pipeline.Corpora;

/// <summary>
/// Synthetic CORD-19 corpora of any size made from real abstracts, for benchmarks. Each synthetic abstract
/// draws its sentences from three real abstracts that are close to each other (one at random and two of its
/// five nearest neighbours by TF-IDF cosine), so the corpus keeps the topical structure of the real one: a
/// corpus whose sentences come from anywhere has no clusters at all. <see cref="Mix.Random"/> makes that
/// structureless corpus, to check the difference (see docs/benchmarks.md, Synthetic corpora).
/// </summary>
public static partial class SyntheticCorpus
{
    public enum Mix { Neighbours, Random }

    private const int Neighbours = 5;

    private sealed record Source(PaperRecord Paper, string[] Sentences);

    public static long Generate(IEnumerable<string> sourceFiles, int documents, string output, int seed, Mix mix, Action<string> log)
    {
        var sources = Read(sourceFiles);
        if (sources.Count < Neighbours + 1)
            throw new InvalidDataException($"The source files hold {sources.Count} usable English abstracts; a synthetic corpus needs at least {Neighbours + 1}.");
        log($"{sources.Count:N0} real English abstracts read");
        var neighbours = mix == Mix.Neighbours ? NearestNeighbours(sources) : null;
        if (neighbours is not null) log($"{Neighbours} nearest neighbours of each found");

        var random = new Random(seed);
        using var file = new CorpusFile(output);
        for (var i = 0; i < documents; i++)
        {
            var anchor = random.Next(sources.Count);
            var length = Math.Max(3, sources[anchor].Sentences.Length);
            string[] sentences;
            if (neighbours is null)
            {
                sentences = Enumerable.Range(0, length).Select(_ => Pick(sources[random.Next(sources.Count)].Sentences, random)).ToArray();
            }
            else
            {
                var near = neighbours[anchor].OrderBy(_ => random.Next()).Take(2);
                var pool = near.Append(anchor).SelectMany(s => sources[s].Sentences).ToArray();
                sentences = Enumerable.Range(0, length).Select(_ => Pick(pool, random)).ToArray();
            }
            var paper = sources[anchor].Paper;
            file.Write(new PaperRecord($"syn-{i:D7}", paper.Title, string.Join(" ", sentences), paper.PublishTime ?? RandomDate(random),
                paper.Authors, paper.Journal, null));
            if ((i + 1) % 100_000 == 0) log($"{i + 1:N0} documents written");
        }
        return file.Rows;
    }

    private static string Pick(string[] sentences, Random random) => sentences[random.Next(sentences.Length)];

    private static string RandomDate(Random random) => new DateOnly(2020, 1, 1).AddDays(random.Next(730)).ToString("yyyy-MM-dd");

    private static List<Source> Read(IEnumerable<string> files)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sources = new List<Source>();
        // The pre-processor's language test, which the tokenizer's scan counts (its tokens are not needed here).
        var tokenizer = new Tokenizer();
        foreach (var file in files)
            foreach (var paper in new MetadataCsvReader(file).Read())
            {
                if (string.IsNullOrWhiteSpace(paper.Abstract)) continue;
                var text = AbstractCleaner.Clean(paper.Abstract);
                tokenizer.Tokenize([text], out var language);
                if (!language.IsEnglish || !seen.Add(text)) continue;
                var sentences = SentenceEnd().Split(text).Where(s => s.Length > 20).ToArray();
                if (sentences.Length > 0) sources.Add(new Source(paper, sentences));
            }
        return sources;
    }

    /// <summary>Exact cosine neighbours over sparse TF-IDF rows, through an inverted index (each row has a few dozen terms).</summary>
    private static int[][] NearestNeighbours(List<Source> sources)
    {
        var tokenizer = new Tokenizer();
        var tokens = sources.Select(s => tokenizer.Tokenize([s.Paper.Title, string.Join(" ", s.Sentences)])).ToList();
        var tfidf = TfIdf.Fit(tokens, tokenizer.Stems, 1_500);
        var rows = tokens.Select(t => tfidf.Weigh(tfidf.Counts(t))).Select(v => v.Indices.Zip(v.Values).ToArray()).ToArray();
        var postings = Enumerable.Range(0, tfidf.Dimensions).Select(_ => new List<(int Doc, float Weight)>()).ToArray();
        for (var d = 0; d < rows.Length; d++)
            foreach (var (term, weight) in rows[d]) postings[term].Add((d, weight));

        var result = new int[rows.Length][];
        Parallel.For(0, rows.Length, () => new float[rows.Length], (d, _, scores) =>
        {
            Array.Clear(scores);
            foreach (var (term, weight) in rows[d])
                foreach (var (other, w) in postings[term]) scores[other] += weight * w;
            scores[d] = float.NegativeInfinity;
            result[d] = TopIndices(scores, Neighbours);
            return scores;
        }, _ => { });
        return result;
    }

    private static int[] TopIndices(float[] scores, int k)
    {
        var best = new List<int>(k + 1);
        for (var i = 0; i < scores.Length; i++)
        {
            if (best.Count == k && scores[i] <= scores[best[^1]]) continue;
            var at = best.FindIndex(b => scores[b] < scores[i]);
            best.Insert(at < 0 ? best.Count : at, i);
            if (best.Count > k) best.RemoveAt(k);
        }
        return [.. best];
    }

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z])")]
    private static partial Regex SentenceEnd();
}
