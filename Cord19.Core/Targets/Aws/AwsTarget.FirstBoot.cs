using Cord19.Core.Airflow;
using Cord19.Core.Aws;
using Cord19.Core.Execution;

namespace Cord19.Core.Targets.Aws;

/// <summary>Phase 1's wait for Airflow through the instance's first boot: a boot that failed, or an instance that can never serve, is ended at once.</summary>
public sealed partial class AwsTarget
{
    /// <summary>
    /// The wait for Airflow on the running instance: healthy and accepting the panel's sign-in. An ended instance, a
    /// refused sign-in, a certificate that is not the pinned one or a first boot that failed ends it at once.
    /// </summary>
    private async Task WaitForAirflowAsync(AwsRun run, InstanceState running)
    {
        var (context, cloud, names) = run;
        var address = options.InstanceAirflowAddress(running.PublicIp!);
        var client = await ConnectAirflowAsync(run, running);
        DateTimeOffset? bootLogRead = null;
        await Poll.UntilAsync(context, $"Airflow answering healthy at {address} (first boot installs it)", options.AirflowReadyLimit,
            async ct =>
            {
                // A spot interruption or a terminated instance ends the wait at once, with AWS's reason.
                if (await cloud.FindInstanceAsync(names.DeploymentId, ct) is { HasEnded: true } ended)
                    throw new PhaseFailedException(
                        $"The spot instance {ended.InstanceId} is {ended.State} while Airflow was starting: {ended.EndedBecause}" +
                        (ended.SpotState is { } spot ? $" (spot request {spot})" : "") + ". Run phase 1 again for a replacement in this deployment (perhaps with another instance type or a higher max price first).");
                try
                {
                    // Signed in, so a wrong password shows now rather than after the wait.
                    await client.ListDagsAsync(ct);
                    var health = await client.GetHealthAsync(ct);
                    return health.IsHealthy ? health : null;
                }
                catch (AirflowException ex) when (ex.Problem is AirflowProblem.Unauthorized or AirflowProblem.Forbidden)
                {
                    throw new PhaseFailedException(
                        $"Airflow on {running.InstanceId} refuses the panel's sign-in ({ex.Problem}): its admin password is not the one in {names.AirflowPasswordParameter}. " +
                        "Run phase 7, then phase 1, for an instance set up with the current password.", ex);
                }
                catch (AirflowException ex) when (ex.Problem == AirflowProblem.UntrustedCertificate)
                {
                    throw new PhaseFailedException(ex.Message, ex);
                }
                catch (AirflowException)
                {
                    // Not up yet. Its first boot may have failed, which no later look would change.
                    if (bootLogRead is null || clock.GetUtcNow() - bootLogRead >= BootLogInterval)
                    {
                        bootLogRead = clock.GetUtcNow();
                        await EndIfFirstBootFailedAsync(run, running.InstanceId, ct);
                    }
                    return null;
                }
            },
            async ct => await BootLogAsync(cloud, running.InstanceId, ct) + await StillBillingAsync(run, running));
        await context.LogAsync($"Airflow is healthy at {address} (user {AwsNames.AirflowUser}, password in {names.AirflowPasswordParameter}, certificate pinned).");
    }

    /// <summary>How often the wait for Airflow reads the instance's console for <see cref="AirflowUserData.SetupFailed"/>.</summary>
    private static readonly TimeSpan BootLogInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A first boot that failed (a release without constraints for the instance's Python, apt or PyPI out of reach) never
    /// starts Airflow: the instance is terminated and the phase fails now, with the log's lines up to the failure, rather
    /// than after the 30-minute wait on a billed instance. A console that cannot be read yet says nothing.
    /// </summary>
    private async Task EndIfFirstBootFailedAsync(AwsRun run, string instanceId, CancellationToken ct)
    {
        string? output;
        try
        {
            output = await run.Cloud.ConsoleOutputAsync(instanceId, ct);
        }
        catch (AwsException)
        {
            return;
        }
        var failed = output?.IndexOf(AirflowUserData.SetupFailed, StringComparison.Ordinal) ?? -1;
        if (failed < 0) return;
        var end = output!.IndexOf('\n', failed);
        throw new PhaseFailedException(
            $"The first boot of {instanceId} failed, so Airflow will not start: {Tail(output[..(end < 0 ? output.Length : end)])} " +
            await TerminateUnusableInstanceAsync(run, instanceId, "its first boot failed", ct) +
            " Fix the cause its last lines name, then run phase 1 again: a replacement in this deployment installs Airflow at its own first boot.");
    }

    /// <summary>
    /// An instance that can never serve Airflow (its first boot failed, and the script runs once; it has no public address)
    /// still bills, with its volume and address, until phase 7 or the maximum lifetime: it is terminated now, and its
    /// ledger entry ends. The bucket, role, group and parameters cost next to nothing and stay for phase 7.
    /// </summary>
    /// <param name="why">Why it can never serve, for the log: "its first boot failed".</param>
    private static async Task<string> TerminateUnusableInstanceAsync(AwsRun run, string instanceId, string why, CancellationToken ct)
    {
        try
        {
            await run.Cloud.TerminateInstanceAsync(instanceId, ct);
        }
        catch (AwsException ex)
        {
            return $"The instance could not be terminated ({ex.Message}), so it bills until phase 7 ends it.";
        }
        foreach (var entry in (await run.Context.LiveResourcesAsync()).Where(r => r.Kind == AwsResourceKinds.Instance))
            await run.Context.MarkResourceDeletedAsync(entry.Id);
        await run.Context.LogAsync($"Terminated {instanceId}: {why}, and it would only bill until phase 7.", Deployments.LogLevel.Warning);
        return $"The instance {instanceId} is terminated, so it bills no more.";
    }

    /// <summary>
    /// For a wait given up on: the instance is not ended (its first boot may yet finish, and phase 1 run again waits on),
    /// so the operator is told that it bills meanwhile, and until when at the latest.
    /// </summary>
    private static async Task<string> StillBillingAsync(AwsRun run, InstanceState instance)
    {
        var (_, runs) = await run.Context.DeploymentRecordAsync();
        return $"The instance {instance.InstanceId} still runs, and bills, until phase 7 ends it" +
            (InstanceEndOfLife.Deadline(instance, runs) is { } end ? $" or it ends itself about {end.UtcDateTime:yyyy-MM-dd HH:mm} UTC (the maximum lifetime). " : ". ");
    }

    /// <summary>The tail of the instance's first-boot log, so a timed-out wait says why.</summary>
    private static async Task<string?> BootLogAsync(IAwsCloud cloud, string instanceId, CancellationToken ct)
    {
        try
        {
            var output = await cloud.ConsoleOutputAsync(instanceId, ct);
            return output is null ? "EC2 has no console output of the instance yet. " : $"The end of its first-boot log: {Tail(output)} ";
        }
        catch (AwsException ex)
        {
            return $"Its console output could not be read ({ex.Message}). ";
        }
    }
}
