using Cord19.Core.Airflow;
using Cord19.Core.Aws;
using Cord19.Core.Execution;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Following the instance's Airflow for minutes or hours over the internet: it may not answer for a while (this
/// machine's network, an API server slow while the pipeline takes every core, systemd restarting it) while the DAG
/// run goes on without the panel. So a look that Airflow does not answer is not the phase's failure until Airflow has
/// been silent for <see cref="AwsTargetOptions.AirflowOutageLimit"/>. An instance that has ended (a spot
/// interruption, its maximum lifetime) ends the phase at once, naming why: no later look could succeed.
/// </summary>
internal sealed class AirflowOutage(AwsTarget.AwsRun run, string following, TimeSpan limit, TimeProvider clock)
{
    /// <summary>EC2 is asked about the instance at the outage's first failed look, then at most this often.</summary>
    private static readonly TimeSpan InstanceLookInterval = TimeSpan.FromMinutes(1);

    private DateTimeOffset? _since;
    private DateTimeOffset? _instanceLooked;

    /// <summary><paramref name="look"/>'s answer, or null (look again) while Airflow has been silent for less than the limit.</summary>
    public async Task<T?> LookAsync<T>(Func<CancellationToken, Task<T?>> look, CancellationToken ct) where T : class
    {
        T? answer;
        try
        {
            answer = await look(ct);
        }
        catch (AirflowException ex) when (ex.Problem is AirflowProblem.Unreachable or AirflowProblem.TimedOut or AirflowProblem.ServerError)
        {
            await FailedLookAsync(ex, ct);
            return null;
        }
        if (_since is { } since)
        {
            _since = _instanceLooked = null;
            await run.Context.LogAsync($"Airflow answers again after {Durations.Say(clock.GetUtcNow() - since)} without an answer.");
        }
        return answer;
    }

    private async Task FailedLookAsync(AirflowException ex, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_instanceLooked is null || now - _instanceLooked >= InstanceLookInterval)
        {
            _instanceLooked = now;
            if (await EndedInstanceAsync(ct) is { } ended)
                throw new PhaseFailedException(
                    $"While {following}, the panel found the instance {ended.InstanceId} {ended.State}: {ended.EndedBecause}. The run ended with it. " +
                    "Run phase 1 again for a replacement in this deployment (the bucket, and the cluster with its export, stay), then phase 3 to install the DAGs on it, then this phase; the results the panel already copied stay.", ex);
        }
        if (_since is not { } since)
        {
            _since = now;
            await run.Context.LogAsync(
                $"Airflow on the instance {Said(ex)}, while {following}. The run goes on without the panel; looking again for up to {Durations.Say(limit)}.");
            return;
        }
        if (now - since >= limit)
            throw new PhaseFailedException(
                $"Airflow on the instance has not answered for {Durations.Say(now - since)} while {following} (last look: it {Said(ex)}). " +
                "The run may still be going on the instance: run this phase again to follow the same run (it also opens port 8080 to this machine's " +
                "address, should that have changed), or look at the instance's state and Airflow's health on the AWS page.", ex);
    }

    /// <summary>The instance when EC2 says it has ended; null while it runs, or when EC2 cannot be asked now either.</summary>
    private async Task<InstanceState?> EndedInstanceAsync(CancellationToken ct)
    {
        try
        {
            return await run.Cloud.FindInstanceAsync(run.Names.DeploymentId, ct) is { HasEnded: true } ended ? ended : null;
        }
        catch (AwsException aws) when (AwsErrors.IsRetryable(aws.Kind))
        {
            // This machine's network is likely what keeps Airflow silent too; the outage's limit still applies.
            return null;
        }
    }

    /// <summary>What went wrong in a few words: the exception's own message names the local target's fixes.</summary>
    private static string Said(AirflowException ex) => ex.Problem switch
    {
        AirflowProblem.TimedOut => "did not answer in time",
        AirflowProblem.ServerError => $"answered with a server error{(ex.Status is { } status ? $" ({status})" : "")}",
        _ => "could not be reached",
    };
}
