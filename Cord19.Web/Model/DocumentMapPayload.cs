using System.Runtime.InteropServices;
using Cord19.Core.Insights;
using Cord19.Core.Results;

namespace Cord19.Web.Model;

/// <summary>
/// The points of a run's document map, per cluster: coordinates as (x, y) pairs and each point's index into the
/// run's documents. The browser receives it as <see cref="ToBinary"/> and hands the coordinates to ECharts as typed
/// arrays; titles and authors are fetched one document at a time, on hover (<c>/api/results/{run}/documents/{i}</c>).
/// For 100,000 documents that is 1.2 MB instead of the 11.5 MB of JSON with every title it replaced.
/// </summary>
/// <param name="Problems">What makes these points unfit to draw (<see cref="RunProblems"/>), each naming the file.</param>
public sealed record DocumentMapPayload(string RunId, int Total, int Shown, IReadOnlyList<DocumentMapPayload.ClusterPoints> Clusters,
    IReadOnlyList<string> Problems)
{
    /// <summary>Above this many points the browser slows down; larger runs are sampled within each cluster.</summary>
    public const int DefaultLimit = 200_000;

    /// <summary>"C19M": what a reader checks first, so that another body is not read as points.</summary>
    public const int Magic = 0x4D393143;
    public const int Version = 1;

    /// <param name="XY">x0, y0, x1, y1, …</param>
    /// <param name="Documents">Each point's index into the run's documents.</param>
    public sealed record ClusterPoints(int ClusterId, float[] XY, int[] Documents);

    /// <param name="limit">The most points to send; each cluster keeps its share, chosen reproducibly.</param>
    public static DocumentMapPayload Build(RunResult run, int limit = DefaultLimit)
    {
        var positions = Sample(run.Documents.Count, limit);
        IReadOnlyList<DocumentResult> points = positions is null ? run.Documents : positions.Select(i => run.Documents[i]).ToList();
        return Build(run.Manifest.RunId, run.Clusters, run.Documents.Count, positions, points);
    }

    /// <param name="total">How many documents the run has.</param>
    /// <param name="positions">The documents shown (<see cref="Sample"/>), or null for all.</param>
    /// <param name="points">The documents at <paramref name="positions"/>, in that order (all of them when it is null).</param>
    public static DocumentMapPayload Build<T>(string runId, IReadOnlyList<ClusterResult> clusters, int total, int[]? positions, IReadOnlyList<T> points)
        where T : IDocumentPoint
    {
        var byCluster = clusters.ToDictionary(c => c.Id, _ => (XY: new List<float>(), Documents: new List<int>()));
        var shown = 0;
        for (var k = 0; k < points.Count; k++)
        {
            var d = points[k];
            if (!byCluster.TryGetValue(d.Cluster, out var cluster)) continue;
            cluster.XY.Add(d.X);
            cluster.XY.Add(d.Y);
            cluster.Documents.Add(positions is null ? k : positions[k]);
            shown++;
        }
        return new DocumentMapPayload(runId, total, shown,
            clusters.Select(c => new ClusterPoints(c.Id, [.. byCluster[c.Id].XY], [.. byCluster[c.Id].Documents])).ToList(),
            RunProblems.Find(runId, clusters, points));
    }

    /// <summary>Whether the map shows the run's document <paramref name="document"/> (each cluster's documents are ascending).</summary>
    public bool Shows(int document) => Clusters.Any(c => Array.BinarySearch(c.Documents, document) >= 0);

    /// <summary>
    /// Which of the map's points show one of <paramref name="documents"/> (ascending): one bit a point, the clusters' points
    /// one after another in this payload's order, lowest bit first (what <c>cord19Charts.showMatches</c> reads). Every
    /// match of a 100,000-point map costs the circuit 12.5 kB, where a [series, point] pair each was 1 MB of JSON.
    /// </summary>
    public (byte[] Bits, int Count) Matches(int[] documents)
    {
        var bits = new byte[(Shown + 7) / 8];
        int point = 0, count = 0;
        foreach (var cluster in Clusters)
        {
            foreach (var document in cluster.Documents)
            {
                if (Array.BinarySearch(documents, document) >= 0)
                {
                    bits[point >> 3] |= (byte)(1 << (point & 7));
                    count++;
                }
                point++;
            }
        }
        return (bits, count);
    }

    /// <summary>
    /// Which of <paramref name="total"/> documents the map shows, ascending: null for all, or an even random sample of
    /// <paramref name="limit"/> with a fixed seed (so reloads agree), known before any document is read.
    /// </summary>
    public static int[]? Sample(int total, int limit)
    {
        if (total <= limit) return null;
        var order = Enumerable.Range(0, total).ToArray();
        new Random(19).Shuffle(order);
        var kept = order[..limit];
        Array.Sort(kept);
        return kept;
    }

    /// <summary>
    /// Little-endian: magic, version, total, shown, cluster count, then per cluster its id, its point count, the
    /// (x, y) pairs as float32 and the document indices as int32. Every field is 4 bytes, so the browser reads each
    /// array in place as a Float32Array or Int32Array, without copying.
    /// </summary>
    public byte[] ToBinary()
    {
        using var stream = new MemoryStream(20 + Clusters.Sum(c => 8 + 4 * (c.XY.Length + c.Documents.Length)));
        using (var writer = new BinaryWriter(stream))
        {
            foreach (var field in new[] { Magic, Version, Total, Shown, Clusters.Count }) writer.Write(field);
            foreach (var cluster in Clusters)
            {
                writer.Write(cluster.ClusterId);
                writer.Write(cluster.Documents.Length);
                writer.Write(MemoryMarshal.AsBytes(cluster.XY.AsSpan()));
                writer.Write(MemoryMarshal.AsBytes(cluster.Documents.AsSpan()));
            }
        }
        return stream.ToArray();
    }
}
