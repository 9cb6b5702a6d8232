namespace Cord19.Core;

/// <summary>A duration in a phase's log, rounded as a person reads it: "40 s", "10 min", "1.5 h".</summary>
public static class Durations
{
    public static string Say(TimeSpan span) =>
        span < TimeSpan.FromMinutes(1) ? $"{Math.Max(1, span.TotalSeconds):0} s"
        : span < TimeSpan.FromHours(1) ? $"{span.TotalMinutes:0} min"
        : $"{span.TotalHours:0.#} h";
}
