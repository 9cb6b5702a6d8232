using Cord19.Core.Results;

namespace Cord19.Core.Insights;

/// <summary>What makes a run's results unfit to draw, each naming the file and the problem.</summary>
public static class RunProblems
{
    public static IReadOnlyList<string> Find(RunResult run) => Find(run.Manifest.RunId, run.Clusters, run.Documents);

    /// <summary>The problems of the given points alone: the map's, when it draws a sample of a run.</summary>
    public static IReadOnlyList<string> Find<T>(string runId, IReadOnlyList<ClusterResult> clusters, IReadOnlyList<T> points) where T : IDocumentPoint
    {
        var documents = $"runs/{runId}/documents.jsonl";
        var problems = new List<string>();
        if (points.Count == 0)
            problems.Add($"{documents}: the run has no documents, so there is nothing to draw. Run the phase again on a larger corpus.");

        var notNumbers = points.Where(d => !float.IsFinite(d.X) || !float.IsFinite(d.Y)).ToList();
        if (notNumbers.Count > 0)
            problems.Add($"{documents}: {notNumbers.Count:N0} document(s) have map coordinates that are not numbers (NaN or infinite), " +
                         $"for example '{notNumbers[0].Id}'. Run the phase again; if it recurs, report it with the run id.");

        var clusterIds = clusters.Select(c => c.Id).ToHashSet();
        var unknown = points.Where(d => !clusterIds.Contains(d.Cluster)).ToList();
        if (unknown.Count > 0)
            problems.Add($"{documents}: {unknown.Count:N0} document(s) belong to clusters missing from clusters.json, for example '{unknown[0].Id}' in cluster {unknown[0].Cluster}.");
        return problems;
    }
}
