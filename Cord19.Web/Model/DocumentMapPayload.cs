using Cord19.Core.Results;

namespace Cord19.Web.Model;

/// <summary>
/// Everything the browser needs to draw a run's document map, in one compact JSON payload that the chart
/// fetches itself (not thousands of render-tree diffs over SignalR). Points are [x, y, index into Docs, index
/// into the run's documents]; Docs are [title, journal, publish time, authors], for the tooltip.
/// </summary>
/// <param name="Points">Per cluster, keyed "c{id}": chart data paths cannot index arrays.</param>
public sealed record DocumentMapPayload(
    string RunId, int Total, int Shown, IReadOnlyDictionary<string, List<float[]>> Points, IReadOnlyList<string?[]> Docs)
{
    /// <summary>Above this many points the browser slows down; larger runs are sampled within each cluster.</summary>
    public const int DefaultLimit = 200_000;

    public static string KeyOf(int clusterId) => $"c{clusterId}";

    /// <param name="limit">The most points to send; each cluster keeps its share, chosen reproducibly.</param>
    public static DocumentMapPayload Build(RunResult run, int limit = DefaultLimit)
    {
        var total = run.Documents.Count;
        var keep = Keep(total, limit);
        var docs = new List<string?[]>(Math.Min(total, limit));
        var byCluster = run.Clusters.ToDictionary(c => KeyOf(c.Id), _ => new List<float[]>());
        for (var i = 0; i < total; i++)
        {
            if (!keep[i]) continue;
            var d = run.Documents[i];
            if (!byCluster.TryGetValue(KeyOf(d.Cluster), out var points)) continue;
            points.Add([MathF.Round(d.X, 4), MathF.Round(d.Y, 4), docs.Count, i]);
            docs.Add([d.Title, d.Journal, d.PublishTime, d.Authors]);
        }
        return new DocumentMapPayload(run.Manifest.RunId, total, docs.Count, byCluster, docs);
    }

    /// <summary>Which documents to send: all, or an even random sample with a fixed seed (so reloads agree).</summary>
    private static bool[] Keep(int total, int limit)
    {
        var keep = new bool[total];
        if (total <= limit)
        {
            Array.Fill(keep, true);
            return keep;
        }
        var order = Enumerable.Range(0, total).ToArray();
        new Random(19).Shuffle(order);
        foreach (var i in order.Take(limit)) keep[i] = true;
        return keep;
    }
}
