using Cord19.Core.Deployments;
using Microsoft.Extensions.Logging;

namespace Cord19.Core.Execution;

/// <summary>
/// Several instances on one PostgreSQL: each says every <see cref="InstanceLivenessOptions.Interval"/> that it is alive, and
/// marks interrupted the running phases of an instance silent for <see cref="InstanceLivenessOptions.SilentAfter"/> (killed,
/// its machine gone, its container replaced under another name). Only an instance can end its own runs, so these would
/// otherwise show "Running" for ever with nothing running them. An instance that has not reached the database for
/// <see cref="InstanceLivenessOptions.StopOwnRunsAfter"/> stops its own phases (within one more look) before the others
/// give up on it: a phase they take for ended must not still be running when someone resumes it. A run that no instance
/// has started within <see cref="InstanceLivenessOptions.SilentAfter"/> of its request lost its job, and is ended too.
/// </summary>
public sealed class InstanceLiveness(DeploymentStore store, RunCancellations cancellations, InstanceLivenessOptions options,
    TimeProvider clock, ILogger<InstanceLiveness> logger)
{
    private DateTimeOffset _lastHeard = clock.GetUtcNow();
    private int _looks;

    /// <summary>Looks between two comparisons of this instance's clock with the database's: about an hour.</summary>
    private const int LooksBetweenClockChecks = 240;

    public async Task LookAsync(CancellationToken ct)
    {
        // A look that hangs (a database gone quiet, not refusing) ends at the next look's time, so that the stop below
        // comes at most one look after StopOwnRunsAfter, still a look before the others give up.
        using var unanswered = new CancellationTokenSource(options.Interval, clock);
        using var look = CancellationTokenSource.CreateLinkedTokenSource(ct, unanswered.Token);
        try
        {
            // Waited for only until then: cancelled against a database that takes the connection and never answers, the write
            // does not always give up at once (in three of six runs of the phases' tests together here, a look held on past
            // 10 s; where in the driver it waits was not found). The abandoned write ends on its own timeouts.
            await store.RecordAliveAsync(look.Token).WaitAsync(look.Token);
            _lastHeard = clock.GetUtcNow();
        }
        catch (Exception) when (!ct.IsCancellationRequested && clock.GetUtcNow() - _lastHeard >= options.StopOwnRunsAfter)
        {
            var unheard = clock.GetUtcNow() - _lastHeard;
            if (cancellations.CancelAll($"Stopped: this instance had not reached the state database for {unheard.TotalSeconds:0} s, and the other " +
                                        "instances take the phases of an instance they cannot hear for ended. Resume it or run it again.") is var stopped and > 0)
                logger.LogError("This instance has not reached the state database for {Seconds:0} s; the other instances take its phases " +
                                "for ended after {Silent:0} s, so it stopped the {Count} it was running.",
                    unheard.TotalSeconds, options.SilentAfter.TotalSeconds, stopped);
            throw;
        }

        foreach (var run in (await store.InterruptRunsOfSilentInstancesAsync(options.SilentAfter, ct))
                     .Concat(await store.InterruptRunsNeverStartedAsync(options.SilentAfter, ct)))
            logger.LogWarning("Phase {Phase} (run {RunId}) marked interrupted: {Reason}", run.PhaseNumber, run.Id, run.Reason);
        await store.ForgetInstancesSilentForAsync(InstanceLivenessOptions.ForgottenAfter, ct);
        if (_looks++ % LooksBetweenClockChecks == 0) await CheckClockAsync(ct);
    }

    /// <summary>
    /// Says so when this instance's clock and PostgreSQL's disagree by more than a look. Heartbeats and requests are on
    /// PostgreSQL's clock, but the other times this instance records are on its own.
    /// </summary>
    private async Task CheckClockAsync(CancellationToken ct)
    {
        if (await store.ClockAheadOfDatabaseAsync(ct) is { } ahead && options.ClockDisagreement(ahead) is { } disagreement)
            logger.LogError("{ClockDisagreement}", disagreement);
    }
}

/// <param name="SilentAfter">How long an instance may go unheard before the others end its phases.</param>
public sealed record InstanceLivenessOptions(TimeSpan SilentAfter)
{
    /// <summary>90 s: several missed looks, a long pause of the collector or a database fail-over, never one slow answer.</summary>
    public static readonly InstanceLivenessOptions Default = new(TimeSpan.FromSeconds(90));

    /// <summary>How long the name of an instance silent with no running phase is kept: a day, for whoever looks into its end.</summary>
    public static readonly TimeSpan ForgottenAfter = TimeSpan.FromDays(1);

    /// <summary>For tests only: a shorter <see cref="SilentAfter"/>, in milliseconds.</summary>
    public const string EnvironmentVariable = "CORD19_TEST_INSTANCE_SILENT_AFTER_MS";

    /// <summary>Six looks in the time an instance may stay silent.</summary>
    public TimeSpan Interval => SilentAfter / 6;

    /// <summary>
    /// Null while this instance's clock, <paramref name="ahead"/> of PostgreSQL's, is within a look of it; otherwise the gap,
    /// why it matters and the fix (the hourly log line, and /health/ready's clock check).
    /// </summary>
    public string? ClockDisagreement(TimeSpan ahead) => ahead.Duration() <= Interval ? null
        : $"This instance's clock is {ahead.Duration().TotalSeconds:0} s {(ahead > TimeSpan.Zero ? "ahead of" : "behind")} PostgreSQL's. The times it " +
          "records (when a phase started and ended, when a deployment began) are off by as much, and so are the costs and lifetimes " +
          "that the other instances reckon from them. Keep the machines' clocks in sync (NTP).";

    /// <summary>Two looks before the others give up: the phases stop (a look later at most) before anyone takes them for ended.</summary>
    public TimeSpan StopOwnRunsAfter => SilentAfter - 2 * Interval;
}
