using Cord19.Core.Execution;
using Cord19.Core.Pipeline;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Whether phase 6's peak memory fits on the instance beside Airflow: the forecast's peak
/// (<see cref="ProcessingEstimate.PeakFor"/>, fitted to the pipeline's runs) against EC2's memory for the instance's type,
/// less what Airflow keeps for itself. Said before phase 6 starts, on its card and in its log: a run that would run out of
/// memory hours in bills the instance all that time. A warning, not a refusal, as both figures are estimates.
/// </summary>
public static class InstanceMemory
{
    /// <summary>What Airflow keeps for itself beside the pipeline: its Docker quick start's "at least 4 GB".</summary>
    public const long AirflowBytes = 4_000_000_000;

    /// <summary>
    /// The warning for the deployment's instance, from EC2's memory for its type (perhaps one of Settings' fallbacks;
    /// <paramref name="firstChoice"/> when EC2 does not say); null when the run fits, or when EC2 cannot be asked.
    /// </summary>
    /// <param name="instance">The instance, when the caller has it; else EC2's newest of <paramref name="deploymentId"/> is asked for.</param>
    public static async Task<string?> ShortfallAsync(IAwsCloud cloud, Guid deploymentId, InstanceState? instance, string firstChoice,
        ProcessingEstimate estimate, CancellationToken ct)
    {
        try
        {
            var type = (instance ?? await cloud.FindInstanceAsync(deploymentId, ct))?.InstanceType ?? firstChoice;
            return (await cloud.InstanceTypeAsync(type, ct))?.MemoryMiB is { } mib ? Shortfall(estimate, type, mib) : null;
        }
        catch (Cord19Exception)
        {
            return null;
        }
    }

    /// <summary>The warning, with the ways out; null when the run fits.</summary>
    public static string? Shortfall(ProcessingEstimate estimate, string instanceType, long memoryMiB)
    {
        var memory = memoryMiB * 1_048_576;
        return estimate.PeakBytes <= memory - AirflowBytes ? null
            : $"Processing the {estimate.Documents:N0} documents needs about {ProcessingForecast.Gigabytes(estimate.PeakBytes)} of memory at peak, and the instance " +
              $"({instanceType}, {ProcessingForecast.Gigabytes(memory)}) keeps about {ProcessingForecast.Gigabytes(AirflowBytes)} for Airflow: " +
              "the run may run out of memory. Keep fewer documents (a narrower publish-time window in Settings, then phases 2 and 4 again), or run phase 7 and " +
              "deploy again with a larger instance type.";
    }
}
