using Cord19.Core.Pipeline;
using Cord19.Core.Results;

namespace Cord19.Core.Execution;

/// <summary>Phase 6's estimate, and the memory the machine that will run it has for it.</summary>
/// <param name="AvailableBytes">
/// This machine's, for the local target; null for an AWS deployment's instance, whose memory is judged apart
/// (<see cref="InstanceWarning"/>; on the synthetic million's 859,612 kept documents phase 6 peaked at 3.3 GiB).
/// </param>
public sealed record ProcessingForecast(ProcessingEstimate Estimate, long? AvailableBytes)
{
    public bool OnInstance => AvailableBytes is null;

    /// <summary>On an AWS instance: why the run may not fit beside Airflow there (a warning, not a refusal); null when it fits or is not known.</summary>
    public string? InstanceWarning { get; init; }

    public bool Fits => AvailableBytes is not { } available || Estimate.PeakBytes <= available;

    /// <summary>Why phase 6 should not start here, with the numbers and the ways out; null when it fits.</summary>
    public string? Refusal => Fits ? null :
        $"Processing the whole corpus needs about {Gigabytes(Estimate.PeakBytes)} of memory for {Estimate.Documents:N0} documents " +
        $"and this machine has {Gigabytes(AvailableBytes!.Value)} available. Close other programs, use a machine with more memory, " +
        "or keep fewer documents (a narrower publish-time window in Settings, then phases 2 and 4 again); phase 5 still runs on a subset.";

    public static string Gigabytes(long bytes) => $"{bytes / 1e9:0.0} GB";
}

/// <summary>
/// Forecasts phase 6 locally from the latest corpus and the largest run made of it (its step timings),
/// and reads the memory available now, so a run too large for the machine is refused before it starts.
/// </summary>
/// <param name="availableMemory">Bytes available to a new allocation (the tests' seam; the machine's own figure otherwise).</param>
public sealed class ProcessingEstimator(IResultStore results, Func<long> availableMemory)
{
    public ProcessingEstimator(IResultStore results) : this(results, AvailableMemory) { }

    /// <summary>Null when there is no corpus yet or no finished run to measure from.</summary>
    public async Task<ProcessingForecast?> ForecastAsync(CancellationToken ct) =>
        await EstimateAsync(results, ct) is { } estimate ? new ProcessingForecast(estimate, availableMemory()) : null;

    /// <summary>
    /// Processing the whole latest corpus of <paramref name="store"/>, scaled from the largest timed run of it there (the
    /// panel's store here; the AWS target reads its instance's in the deployment's bucket); null when there is no corpus
    /// yet or no finished run to measure from.
    /// </summary>
    public static async Task<ProcessingEstimate?> EstimateAsync(IResultStore store, CancellationToken ct)
    {
        if (await store.LoadLatestCorpusManifestAsync(ct) is not { } corpus) return null;
        var timed = (await store.ListRunsAsync(ct)).Runs.Where(r => r.Timings is { Count: > 0 }).ToList();
        // Runs of this corpus were made where it was, on these documents (phase 5's at least); runs copied home from an
        // AWS deployment were timed on its instance, so they count only when nothing else was measured.
        var measured = timed.Where(r => r.CorpusId == corpus.CorpusId).MaxBy(r => r.Documents) ?? timed.MaxBy(r => r.Documents);
        return measured is null ? null : ProcessingEstimate.From(corpus.DocumentsKept, measured);
    }

    /// <summary>
    /// Linux's MemAvailable (what can be allocated without swapping), capped by the runtime's limit (a container's);
    /// the runtime's figure alone elsewhere.
    /// </summary>
    public static long AvailableMemory()
    {
        var limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kilobytes))
                return Math.Min(limit, kilobytes * 1024);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return limit;
    }
}
