namespace Cord19.Core.Targets.Aws;

/// <summary>
/// How the instance ends itself at the deployment's maximum lifetime, with no panel running to de-allocate it. The
/// deadline is fixed once, at first boot; a systemd unit schedules the shutdown (which terminates a spot instance
/// launched with <c>InstanceInitiatedShutdownBehavior=terminate</c>) from it at every boot. A bare <c>shutdown +m</c>
/// would not do: systemd keeps a scheduled shutdown under /run, so a reboot (the console's, a maintenance event's)
/// clears it, and the instance would run on until someone notices.
/// </summary>
public static class InstanceEndOfLife
{
    public const string DeadlineFile = "/etc/cord19/end-of-life";
    public const string Program = "/usr/local/sbin/cord19-end-of-life";
    public const string Unit = "cord19-end-of-life.service";

    /// <summary>
    /// How long after its deadline an instance that ended itself may still have billed: the deadline is fixed at first
    /// boot, which follows the launch by a minute or two, and the shutdown and termination take a few more.
    /// </summary>
    public static readonly TimeSpan Slack = TimeSpan.FromMinutes(10);

    /// <summary>
    /// About when <paramref name="instance"/> ends itself: its launch plus the maximum lifetime its first boot was given.
    /// The phase 1 that launched it is one of the deployment's (later runs find it by its client token and launch
    /// nothing); when they differ, the longest, so a meter dated by it never bills less than AWS. Null when one had no
    /// lifetime (or no settings recorded), or before EC2 says when it launched.
    /// </summary>
    public static DateTimeOffset? Deadline(InstanceState instance, IReadOnlyList<Deployments.PhaseRun> runs)
    {
        var lifetimes = LifetimesGiven(runs);
        if (instance.LaunchedAt is not { } launched || lifetimes.Count == 0 || lifetimes.Any(h => h is null)) return null;
        var lifetime = TimeSpan.FromHours(lifetimes.Max()!.Value);
        // A replacement is given what is left of the deployment's lifetime (ReplacementLifetime), not a lifetime of its own.
        var replacement = runs.Count > 0 && new DeploymentNames(runs[0].DeploymentId).IsReplacement(instance.ClientToken);
        return replacement && DeploymentEnd(runs, lifetime) is { } end && end < launched + lifetime ? end : launched + lifetime;
    }

    /// <summary>The maximum lifetime (hours) each started phase 1 gave its instance's first boot; null for one that gave none.</summary>
    public static IReadOnlyList<double?> LifetimesGiven(IReadOnlyList<Deployments.PhaseRun> runs) =>
        [.. runs.Where(r => r.PhaseNumber == 1 && r.StartedAt is not null)
            .Select(r => r.SettingsJson is { } used ? Settings.PipelineSettings.FromJsonOrDefault(used).MaxLifetimeHours : null)];

    /// <summary>
    /// What a replacement's first boot is given: what is left of the deployment's lifetime, counted from its first request
    /// as the budget guard counts it, so an interruption late in a deployment does not buy its instance a new lifetime
    /// while no panel runs to de-allocate it. Null without a lifetime.
    /// </summary>
    public static TimeSpan? ReplacementLifetime(TimeSpan? lifetime, IReadOnlyList<Deployments.PhaseRun> runs, DateTimeOffset now) =>
        lifetime is { } l && DeploymentEnd(runs, l) is { } end ? end - now : lifetime;

    private static DateTimeOffset? DeploymentEnd(IReadOnlyList<Deployments.PhaseRun> runs, TimeSpan lifetime) => DeploymentStart(runs) + lifetime;

    /// <summary>When the deployment was first asked for: its first run's request. Null without runs.</summary>
    public static DateTimeOffset? DeploymentStart(IReadOnlyList<Deployments.PhaseRun> runs) =>
        runs.Count == 0 ? null : new DateTimeOffset(runs.Min(r => r.RequestedAt), TimeSpan.Zero);

    /// <summary>
    /// Run at every boot with the deadline's file (seconds since the epoch) as its argument: schedules the shutdown for
    /// the deadline, rounded up to the minute, or shuts down now when it has passed. POSIX sh, as systemd runs it.
    /// </summary>
    public const string Script = """
        #!/bin/sh
        # CORD-19: end this instance at the deployment's maximum lifetime (the deadline in "$1", seconds since the epoch).
        set -eu
        deadline=$(cat "$1")
        minutes=$(( (deadline - $(date +%s) + 59) / 60 ))
        if [ "$minutes" -gt 0 ]; then
          shutdown -h "+$minutes" "cord19: the deployment reaches its maximum lifetime; this spot instance then terminates itself"
        else
          shutdown -h now "cord19: the deployment reached its maximum lifetime; this spot instance terminates itself"
        fi
        """;

    /// <summary>The first-boot lines that fix the deadline and install and start the unit; a comment alone without a lifetime.</summary>
    public static string FirstBoot(TimeSpan? lifetime) => lifetime is not { } life
        ? "# No maximum lifetime in Settings: the instance runs until phase 7 (or the budget guard) ends it."
        : $$"""
            # The instance ends itself at the maximum lifetime, counted from now, even after a reboot (InstanceEndOfLife).
            mkdir -p /etc/cord19
            echo $(( $(date +%s) + {{Math.Max(60, (long)life.TotalSeconds)}} )) > {{DeadlineFile}}
            cat > {{Program}} <<'EOL'
            {{Script}}
            EOL
            chmod 755 {{Program}}
            cat > /etc/systemd/system/{{Unit}} <<'UNIT'
            [Unit]
            Description=CORD-19: end this instance at the deployment's maximum lifetime
            # logind keeps a scheduled shutdown.
            After=systemd-logind.service
            [Service]
            Type=oneshot
            ExecStart={{Program}} {{DeadlineFile}}
            [Install]
            WantedBy=multi-user.target
            UNIT
            systemctl daemon-reload
            systemctl enable --now {{Unit}}
            """;
}
