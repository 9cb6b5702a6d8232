using Cord19.Core.Results;

namespace Cord19.Core.Pipeline;

/// <summary>
/// What processing a corpus will take on this machine, before it starts: each step's time, scaled from the step
/// timings of a run this machine already finished (phase 5's subset at least, since phase 6 needs it), and the peak
/// memory. During the run, the same figures give the time left.
/// </summary>
public sealed record ProcessingEstimate(int Documents, IReadOnlyList<ProcessingEstimate.Step> Steps, long PeakBytes, string MeasuredRun, int MeasuredDocuments)
{
    public sealed record Step(string Id, TimeSpan Time);

    /// <summary>
    /// Peak memory of processing, linear in the documents: 200 MB and 3.9 kB a document, fitted to the pipeline's
    /// child process (cord19-pipeline, which runs phases 5 and 6 since 2026-12-02: the server collector, no
    /// ConserveMemory). Phase 6 on the 859,612 documents the synthetic million's publish-time window kept peaked at
    /// 3,211-3,343 MiB in five runs, 1.3-5.5% under the forecast's 3,388 MiB; on the synthetic 100k's 86,070 kept
    /// documents at 462 and 502 MiB (forecast 511 MiB); on the sample's 2,765 at 130 MiB (forecast 201 MiB: fixed
    /// costs). The panel's own process holds about 0.3 GB beside it, already in use when the forecast is compared with
    /// the memory available. docs/benchmarks.md and the README's Data have the runs. A figure from the subset run
    /// itself would not scale: fixed costs dominate it.
    /// </summary>
    public const long BaseBytes = 200_000_000;
    public const long BytesPerDocument = 3_900;

    public TimeSpan Total => TimeSpan.FromTicks(Steps.Sum(s => s.Time.Ticks));

    /// <summary>Scales <paramref name="measured"/>'s step timings to <paramref name="documents"/>; null without timings.</summary>
    public static ProcessingEstimate? From(int documents, RunManifest measured)
    {
        if (measured.Timings is not { Count: > 0 } timings || measured.Documents <= 0) return null;
        var steps = timings
            .Select(t => new Step(t.Step, TimeSpan.FromSeconds(t.Seconds * Scale(t.Step, measured.Documents, documents))))
            .ToList();
        return new ProcessingEstimate(documents, steps, PeakFor(documents), measured.RunId, measured.Documents);
    }

    public static long PeakFor(int documents) => BaseBytes + documents * BytesPerDocument;

    /// <summary>
    /// The time left while the run is in <paramref name="current"/> (null before the first step), the steps before it
    /// done and <paramref name="inCurrent"/> spent in it; never below zero for a step that takes longer than foreseen.
    /// </summary>
    public TimeSpan Left(string? current, TimeSpan inCurrent)
    {
        var index = current is null ? -1 : Steps.ToList().FindIndex(s => s.Id == current);
        if (current is not null && index < 0) return TimeSpan.Zero;
        var after = Steps.Skip(index + 1).Sum(s => s.Time.Ticks);
        var rest = index < 0 ? TimeSpan.Zero : Steps[index].Time - inCurrent;
        return TimeSpan.FromTicks(after) + (rest > TimeSpan.Zero ? rest : TimeSpan.Zero);
    }

    /// <summary>
    /// Placing a document beside its nearest sampled neighbours costs a fraction of what t-SNE spends on a point:
    /// about 45 µs against 320 µs here (the synthetic million's map less its 10,000-point t-SNE, over 989,000
    /// placements; the real corpus's map over its 15,703 points).
    /// </summary>
    private const double PlacementShare = 0.15;

    /// <summary>
    /// How a step's time grows from <paramref name="from"/> to <paramref name="to"/> documents. Every step is about
    /// linear but the map: t-SNE (Barnes-Hut, n log n) draws up to <see cref="Tsne.MaxPoints"/> documents in full,
    /// larger runs embed a <see cref="SampledTsne.Sample"/> and place the rest.
    /// </summary>
    private static double Scale(string step, int from, int to)
    {
        if (step != PipelineDefinition.Map.Id) return (double)to / from;
        static double Embedded(int n) => n <= Tsne.MaxPoints ? n : SampledTsne.Sample;
        static double NLogN(double n) => n * Math.Log(Math.Max(2, n));
        var embedding = NLogN(Embedded(to)) / NLogN(Embedded(from));
        var placement = to > Tsne.MaxPoints ? PlacementShare * (to - SampledTsne.Sample) / from : 0;
        return embedding + placement;
    }
}
