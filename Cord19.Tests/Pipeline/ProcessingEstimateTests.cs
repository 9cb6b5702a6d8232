using Cord19.Core.Pipeline;
using Cord19.Core.Results;

namespace Cord19.Tests.Pipeline;

public sealed class ProcessingEstimateTests
{
    private static RunManifest Measured(int documents, params (string Step, double Seconds)[] timings) =>
        new(ResultSchema.Version, "subset-1", RunManifest.SubsetScope, DateTime.UnixEpoch, "c", documents, 6, 30, Tsne.Method,
            new Dictionary<string, object?>(), timings.Select(t => new StepTiming(t.Step, t.Seconds)).ToList());

    [Fact]
    public void Linear_steps_scale_with_the_documents_and_the_map_by_its_method()
    {
        var estimate = ProcessingEstimate.From(1_000_000, Measured(10_000, ("tfidf", 0.5), ("topics", 2.0), ("map", 3.0)))!;

        Assert.Equal(50.0, estimate.Steps[0].Time.TotalSeconds, 6);
        Assert.Equal(200.0, estimate.Steps[1].Time.TotalSeconds, 6);
        // A million documents embed a 10,000 sample (the measured run's own size: 3 s) and place 990,000 beside it,
        // each at 0.15 of a t-SNE point's cost.
        Assert.Equal(3.0 + 3.0 * 99 * 0.15, estimate.Steps[2].Time.TotalSeconds, 6);
        Assert.Equal(250.0 + 3.0 + 3.0 * 99 * 0.15, estimate.Total.TotalSeconds, 6);
    }

    [Fact]
    public void A_map_drawn_in_full_grows_as_n_log_n()
    {
        var estimate = ProcessingEstimate.From(20_000, Measured(10_000, ("map", 3.0)))!;
        Assert.Equal(3.0 * 2 * Math.Log(20_000) / Math.Log(10_000), estimate.Steps[0].Time.TotalSeconds, 6);
    }

    [Fact]
    public void Time_left_counts_the_rest_of_the_current_step_and_the_steps_after_it()
    {
        var estimate = ProcessingEstimate.From(20_000, Measured(10_000, ("tfidf", 1), ("cluster", 2), ("topics", 3)))!;

        Assert.Equal(12, estimate.Left(null, TimeSpan.Zero).TotalSeconds, 6);
        Assert.Equal(8, estimate.Left("cluster", TimeSpan.FromSeconds(2)).TotalSeconds, 6);
        Assert.Equal(0, estimate.Left("topics", TimeSpan.FromSeconds(30)).TotalSeconds, 6);
    }

    [Fact]
    public void A_run_without_timings_measures_nothing()
    {
        Assert.Null(ProcessingEstimate.From(1_000, Measured(100)));
    }
}
