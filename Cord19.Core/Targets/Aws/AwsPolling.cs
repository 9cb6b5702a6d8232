using Cord19.Core.Execution;

namespace Cord19.Core.Targets.Aws;

/// <summary>Waiting for AWS: ask, sleep, ask again, say so in the log every minute, give up with a clear message.</summary>
internal sealed class AwsPolling(TimeSpan interval, TimeProvider clock)
{
    /// <param name="whyNot">What to add to the give-up message (e.g. the instance's first-boot log), asked only then.</param>
    public Task<T> UntilAsync<T>(PhaseContext context, string what, TimeSpan limit, Func<CancellationToken, Task<T?>> check,
        Func<CancellationToken, Task<string?>>? whyNot = null) where T : class =>
        UntilAsync(context, context.Cancellation, what, limit, check, whyNot);

    /// <param name="log">Where "still waiting" goes: a phase's log, or the orphan clean-up's.</param>
    public async Task<T> UntilAsync<T>(Pipeline.IStepRecorder log, CancellationToken cancellation, string what, TimeSpan limit,
        Func<CancellationToken, Task<T?>> check, Func<CancellationToken, Task<string?>>? whyNot = null) where T : class
    {
        var deadline = clock.GetUtcNow() + limit;
        var reported = clock.GetUtcNow();
        while (true)
        {
            if (await check(cancellation) is { } done) return done;
            if (clock.GetUtcNow() > deadline)
                throw new PhaseFailedException(
                    $"Gave up waiting for {what} after {limit.TotalMinutes:0} minutes. " +
                    (whyNot is null ? "" : await whyNot(cancellation)) +
                    "Look at it in the AWS console, then run the phase again (it continues where it stopped) or de-allocate.");
            if (clock.GetUtcNow() - reported > TimeSpan.FromMinutes(1))
            {
                reported = clock.GetUtcNow();
                await log.LogAsync($"Still waiting for {what}.");
            }
            await Task.Delay(interval, clock, cancellation);
        }
    }

    /// <summary>
    /// Run first by every script: it waits for an earlier one to end. A phase cancelled while it followed a script leaves
    /// that script running, and its next run's install would otherwise unpack and download into the same files meanwhile.
    /// (Run Command runs scripts as root with sh; /run/lock is Ubuntu's lock directory; flock is util-linux's, always there.)
    /// </summary>
    public static readonly IReadOnlyList<string> OneAtATime = ["exec 9>/run/lock/cord19-run-command", "flock 9"];

    /// <summary>
    /// A shell script on the instance through SSM Run Command: waits for the agent, sends it, follows it to its end.
    /// Phase 3's install and the password rotation both go this way.
    /// </summary>
    public async Task<CommandState> RunOnInstanceAsync(IAwsCloud cloud, Pipeline.IStepRecorder log, CancellationToken cancellation,
        string instanceId, IReadOnlyList<string> script, AwsTargetOptions options)
    {
        await UntilAsync(log, cancellation, $"the SSM agent on {instanceId} online", options.InstanceStartLimit,
            async ct => await cloud.CommandAgentOnlineAsync(instanceId, ct) ? instanceId : null);
        var command = await cloud.RunCommandAsync(instanceId, [.. OneAtATime, .. script], options.RunCommand, cancellation);
        await log.LogAsync($"SSM Run Command {command} sent to {instanceId}.");
        return await UntilAsync(log, cancellation, $"Run Command {command} finishing", options.RunCommand.Followed, async ct =>
            await cloud.GetCommandAsync(command, instanceId, ct) is { IsFinished: true } state ? state : null);
    }
}
