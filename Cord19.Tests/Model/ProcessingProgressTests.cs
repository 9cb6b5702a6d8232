using Cord19.Core.Deployments;
using Cord19.Core.Pipeline;
using Cord19.Core.Targets.Aws;
using Cord19.Web.Model;

namespace Cord19.Tests.Model;

/// <summary>Phase 6's progress line at its ends: before it can say anything, and once the forecast has run out.</summary>
public sealed class ProcessingProgressTests
{
    private static readonly ProcessingEstimate Estimate =
        new(1_000, [new("tfidf", TimeSpan.FromMinutes(2)), new("topics", TimeSpan.FromMinutes(3))], 0, "manual__1", 100);

    private static readonly DateTime Start = new(2026, 12, 7, 6, 0, 0, DateTimeKind.Utc);
    private static readonly Guid Run = Guid.NewGuid();

    private static LogLine Line(string step, TimeSpan after) => new(1, Run, 6, Start + after, LogLevel.Info, step, "Started.");

    [Fact]
    public void A_step_past_its_share_of_the_forecast_is_nearly_done_not_a_negative_time()
    {
        IReadOnlyList<LogLine> log = [Line("tfidf", TimeSpan.Zero), Line("topics", TimeSpan.FromMinutes(2))];

        Assert.Equal("Step 2 of 2 (topics) · about 2 min 0 s left", ProcessingProgress.Describe(Estimate, log, Start.AddMinutes(3)));
        Assert.Equal("Step 2 of 2 (topics) · nearly done", ProcessingProgress.Describe(Estimate, log, Start.AddMinutes(9)));
        Assert.Null(ProcessingProgress.Describe(Estimate, [Line("fetch", TimeSpan.Zero)], Start));
    }

    [Fact]
    public void On_the_instance_the_time_left_waits_for_the_dag_run_and_then_says_when_the_forecast_is_passed()
    {
        var following = Line(AwsTarget.DagRunStep, TimeSpan.FromMinutes(1));

        Assert.Null(ProcessingProgress.DescribeOnInstance(Estimate, [Line("trigger", TimeSpan.Zero)], Start.AddMinutes(2)));
        Assert.Equal("Running on the instance · about 4 min 0 s left of the 5 min 0 s forecast",
            ProcessingProgress.DescribeOnInstance(Estimate, [Line("trigger", TimeSpan.Zero), following], Start.AddMinutes(2)));
        Assert.Equal("Running on the instance · past the 5 min 0 s forecast",
            ProcessingProgress.DescribeOnInstance(Estimate, [following], Start.AddMinutes(7)));
    }
}
