using Cord19.Core.Deployments;
using Cord19.Core.Pipeline;

namespace Cord19.Web.Model;

/// <summary>Where a processing run is, read from its step log, and the time left by the estimate made before it.</summary>
public static class ProcessingProgress
{
    /// <summary>"Step 4 of 7 (topics) · about 2 min 30 s left", or null when the log is not the run's or no step started.</summary>
    public static string? Describe(ProcessingEstimate estimate, IReadOnlyList<LogLine> log, DateTime now)
    {
        var ids = estimate.Steps.Select(s => s.Id).ToList();
        var current = log.LastOrDefault(l => ids.Contains(l.Step));
        if (current is null) return null;
        var index = ids.IndexOf(current.Step);
        var startedAt = log.First(l => l.Step == current.Step).At;
        var left = estimate.Left(current.Step, now - startedAt);
        return $"Step {index + 1} of {ids.Count} ({current.Step}) · {(left > TimeSpan.Zero ? $"about {Moments.Span(left)} left" : "nearly done")}";
    }

    /// <summary>
    /// "Running on the instance · about 2 h 10 min left of the 3 h 20 min forecast": the AWS target's log names no pipeline
    /// step (they run on the instance, under Airflow), so the time left counts from when the phase began following the
    /// DAG run. Null before that.
    /// </summary>
    public static string? DescribeOnInstance(ProcessingEstimate estimate, IReadOnlyList<LogLine> log, DateTime now)
    {
        if (log.FirstOrDefault(l => l.Step == Cord19.Core.Targets.Aws.AwsTarget.DagRunStep) is not { } following) return null;
        var left = estimate.Total - (now - following.At);
        return left > TimeSpan.Zero
            ? $"Running on the instance · about {Moments.Span(left)} left of the {Moments.Span(estimate.Total)} forecast"
            : $"Running on the instance · past the {Moments.Span(estimate.Total)} forecast";
    }

    /// <summary>The estimate as the phase card says it before the run.</summary>
    public static string Summary(Cord19.Core.Execution.ProcessingForecast forecast)
    {
        var e = forecast.Estimate;
        if (forecast.AvailableBytes is not { } available)
            return $"On the instance: about {Moments.Span(e.Total)} for {e.Documents:N0} documents; " +
                   $"scaled from the step times of its run of {e.MeasuredDocuments:N0}.";
        return $"On this machine: about {Moments.Span(e.Total)} and {Cord19.Core.Execution.ProcessingForecast.Gigabytes(e.PeakBytes)} of memory at peak " +
               $"for {e.Documents:N0} documents ({Cord19.Core.Execution.ProcessingForecast.Gigabytes(available)} available); " +
               $"scaled from the step times of a run of {e.MeasuredDocuments:N0}.";
    }
}
