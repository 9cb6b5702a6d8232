using Cord19.Core.Results;

namespace Cord19.Tests.Support;

/// <summary>
/// A made-up run of any size for chart tests and the map benchmark: documents in Gaussian blobs, one per
/// cluster, with distinct titles and a topic-term matrix. Labelled synthetic in every title.
/// </summary>
public static class SyntheticRun
{
    /// <summary>The small run the browser tests of one page's behaviour open: 600 documents in three clusters.</summary>
    public const string SmallRunId = "subset-synthetic-600";

    public static RunResult Small() => Create(SmallRunId, 600, clusters: 3);

    public static RunResult Create(string runId, int documents, int clusters = 6, int topicsPerCluster = 2, int seed = 7)
    {
        var random = new Random(seed);
        string[] words = ["vaccine", "school", "hospital", "protein", "mask", "policy", "variant", "mortality", "anxiety", "testing", "ventilator", "lockdown"];
        var docs = new List<DocumentResult>(documents);
        for (var i = 0; i < documents; i++)
        {
            var c = i % clusters;
            var angle = 2 * Math.PI * c / clusters;
            var x = (float)(Math.Cos(angle) * 10 + Gaussian(random));
            var y = (float)(Math.Sin(angle) * 10 + Gaussian(random));
            var topic = c * topicsPerCluster + i % topicsPerCluster;
            docs.Add(new DocumentResult($"syn{i:000000}", $"Synthetic paper {i} on {words[c % words.Length]}", "Synthetic Journal",
                $"2020-{1 + i % 12:00}-15", "Doe, J; Roe, R", $"10.0000/syn.{i}", c, x, y,
                new Dictionary<int, float> { [topic] = 0.8f, [c * topicsPerCluster + (i + 1) % topicsPerCluster] = 0.2f }));
        }

        var clusterResults = Enumerable.Range(0, clusters)
            .Select(c => new ClusterResult(c, docs.Count(d => d.Cluster == c), [new TermWeight(words[c % words.Length], 0.3), new TermWeight("covid", 0.1)]))
            .ToList();
        var terms = words.Concat(["covid", "patients", "data"]).ToList();
        var topicTerms = new List<TopicTerms>();
        var topics = new List<TopicResult>();
        for (var c = 0; c < clusters; c++)
            for (var t = 0; t < topicsPerCluster; t++)
            {
                var id = c * topicsPerCluster + t;
                var p = terms.Select((_, j) => j == c % words.Length ? 0.5 : j == words.Length + t ? 0.3 : 0.2 / (terms.Count - 2)).ToArray();
                var sum = p.Sum();
                topicTerms.Add(new TopicTerms(id, p.Select(v => v / sum).ToList()));
                topics.Add(new TopicResult(id, c, [new TermWeight(terms[c % words.Length], 0.5), new TermWeight(terms[words.Length + t], 0.3)], 1.0 / (clusters * topicsPerCluster)));
            }
        // "data" is rare overall, so its lift is the highest of all: first at λ = 0, third at the default λ = 0.6, and
        // the topics page's terms rerank when λ moves.
        const double rare = 0.001;
        var overall = terms.Select((t, j) => j < words.Length ? 0.6 / words.Length
            : t == "data" ? rare : (0.4 - rare) / (terms.Count - words.Length - 1)).ToList();

        var manifest = new RunManifest(ResultSchema.Version, runId, RunManifest.FullScope, DateTime.UtcNow, "synthetic", documents,
            clusters, topics.Count, "synthetic-blobs", new Dictionary<string, object?> { ["synthetic"] = true }, []);
        return new RunResult(manifest, clusterResults, topics, docs, new TopicTermMatrix(terms, overall, topicTerms),
            docs.Select(d => new DocumentAbstract(d.Id, $"Synthetic abstract of {d.Title}.")).ToAsyncEnumerable());
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
