namespace Cord19.Core.Phases;

/// <summary>
/// The order rules every target obeys: each phase from 2 to 6 needs the one before it to have succeeded
/// in the same deployment, one phase runs at a time, re-runs are allowed, and de-allocation may start at any time.
/// </summary>
public static class PhaseRules
{
    /// <summary>Returns null when <paramref name="phase"/> may start now, else the reason it may not.</summary>
    /// <param name="statuses">Each phase's current status in the deployment the run would join.</param>
    /// <param name="lifecycle">Whether there is a deployment, and whether it was de-allocated.</param>
    public static string? WhyNot(Phase phase, IReadOnlyDictionary<int, PhaseStatus> statuses, DeploymentLifecycle lifecycle)
    {
        if (lifecycle == DeploymentLifecycle.None)
            return phase.Number == Phase.First ? null
                : phase.IsDeallocation ? "There is nothing to de-allocate: no deployment has been started."
                : "No deployment has been started: run phase 1 first.";

        // Re-running phase 7 on an ended deployment would move its end time (and its cost) for nothing.
        if (phase.IsDeallocation)
            return lifecycle == DeploymentLifecycle.Ended
                ? "This deployment is already de-allocated: nothing is left to delete. Phase 1 starts a new one."
                : null;

        // Phase 1 on an ended deployment starts a new deployment, so nothing else can be running.
        if (phase.Number == Phase.First && lifecycle == DeploymentLifecycle.Ended)
            return null;

        var running = statuses.Where(s => s.Value == PhaseStatus.Running).Select(s => s.Key).ToList();
        if (running.Count > 0)
        {
            var other = Phase.Get(running[0]);
            return other.Number == phase.Number
                ? $"Phase {phase.Number} ({phase.Name}) is already running."
                : $"Phase {other.Number} ({other.Name}) is running; wait for it to finish or de-allocate.";
        }

        if (lifecycle == DeploymentLifecycle.Ended)
            return "This deployment has been de-allocated. Start a new one with phase 1.";

        if (phase.Prerequisite is { } before && statuses.GetValueOrDefault(before.Number) != PhaseStatus.Succeeded)
            return $"Phase {phase.Number} ({phase.Name}) needs phase {before.Number} ({before.Name}) to succeed first; " +
                   $"it is {Describe(statuses.GetValueOrDefault(before.Number))}.";

        return null;
    }

    private static string Describe(PhaseStatus status) => status switch
    {
        PhaseStatus.NotStarted => "not started",
        PhaseStatus.Running => "running",
        PhaseStatus.Succeeded => "succeeded",
        PhaseStatus.Failed => "failed",
        PhaseStatus.Interrupted => "interrupted",
        _ => status.ToString(),
    };
}

public enum DeploymentLifecycle
{
    /// <summary>No deployment was ever started.</summary>
    None,
    Active,
    /// <summary>The latest deployment was de-allocated.</summary>
    Ended,
}
