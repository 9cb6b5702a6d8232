using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The checklist's line for the instance type in Settings, from what EC2 says of it. Red for a type EC2 does not know, one
/// whose processor cannot run the instance's image and the pipeline program (both built for x86_64: an Arm type such as
/// t4g would fail at the launch, after the bucket and role are made), or one EC2 does not sell as spot; phase 1 refuses
/// those before it creates anything. Amber below <see cref="RecommendedMemoryMiB"/>, and for a burstable (T) type.
/// </summary>
public static class InstanceTypeCheck
{
    public const string Name = "Instance type";
    public const string FallbacksName = "Fallback instance types";

    /// <summary>
    /// Airflow's Docker quick start asks for at least 4 GB for Airflow itself, and phase 6 on the whole CORD-19 needs about
    /// as much again (a million documents peaked at 4.5 GB, docs/benchmarks.md): with less, the instance may run out of
    /// memory hours into the run.
    /// </summary>
    public const long RecommendedMemoryMiB = 8 * 1024;

    private const string Fix = $"Settings → Instance type: {PipelineSettings.DefaultInstanceType} (4 vCPUs, 16 GiB, x86_64, no CPU credits), or another x86_64 type with 8 GiB or more that is not a T type.";

    /// <param name="facts">EC2's answer; null when it does not know the type.</param>
    /// <param name="architecture">The instance image's architecture (EC2's name); null when it is not known (an image of the operator's own).</param>
    public static CheckItem Judge(InstanceTypeFacts? facts, string instanceType, string region, string? architecture)
    {
        if (facts is null)
            return new(Name, CheckOutcome.Failed, $"EC2 does not know the instance type {instanceType} in {region}.", Fix);
        var memory = facts.MemoryMiB is { } mib ? $"{mib / 1024.0:0.#} GiB" : "unknown memory";
        var described = $"{facts.Name}: {facts.Vcpus?.ToString() ?? "?"} vCPUs, {memory}, {string.Join(" or ", facts.Architectures)}";
        if (architecture is not null && facts.Architectures.Count > 0 && !facts.Architectures.Contains(architecture))
            return new(Name, CheckOutcome.Failed,
                $"{described}. The instance's Ubuntu image and the pipeline program it runs are built for {architecture}, so EC2 would refuse the launch.",
                Fix);
        if (facts.OfferedAsSpot == false)
            return new(Name, CheckOutcome.Failed, $"{described}. EC2 does not offer this type as a spot instance, so it would refuse the launch.", Fix);
        var concerns = new List<string>();
        if (facts.MemoryMiB < RecommendedMemoryMiB)
            concerns.Add("Airflow asks for at least 4 GB for itself, and phase 6 on the whole CORD-19 for about as much again: " +
                "with less than 8 GiB the instance may run out of memory during the run.");
        if (facts.Burstable)
            concerns.Add("It is burstable: the panel launches it with standard CPU credits, so that no surplus CPU is billed unseen, " +
                "and it then starts with none, so the pipeline's steps, which take every core, run at its baseline share of each vCPU " +
                "(40% for a t3.xlarge: 2.5 times as long).");
        return concerns.Count == 0
            ? new(Name, CheckOutcome.Passed, $"{described}.")
            : new(Name, CheckOutcome.Warning, $"{described}. {string.Join(" ", concerns)}", Fix);
    }

    /// <summary>
    /// The checklist's line for Settings' fallback types, each judged as <see cref="Judge"/> judges the first choice: red
    /// when one could never be launched (phase 1 refuses before it creates anything, rather than find out after a
    /// refusal of the first), amber when one would be short of memory or run on CPU credits.
    /// </summary>
    /// <param name="fallbacks">Each fallback with EC2's answer (null when EC2 does not know it), in Settings' order.</param>
    public static CheckItem JudgeFallbacks(string first, IReadOnlyList<(string Type, InstanceTypeFacts? Facts)> fallbacks, string region, string? architecture)
    {
        if (fallbacks.Count == 0)
            return new(FallbacksName, CheckOutcome.Passed, $"None: phase 1 asks for {first} only, and fails when no zone has spot room for it within your max.");
        var judged = fallbacks.Select(f => (f.Type, Line: Judge(f.Facts, f.Type, region, architecture))).ToList();
        var order = $"Asked for in this order when no zone has spot room for {first} within your max: {string.Join(", ", fallbacks.Select(f => f.Type))}.";
        if (judged.Where(j => j.Line.Outcome == CheckOutcome.Failed).ToList() is { Count: > 0 } failed)
            return new(FallbacksName, CheckOutcome.Failed, $"{string.Join(" ", failed.Select(j => j.Line.Detail))} {order}",
                $"Settings → Fallback instance types: remove {string.Join(" and ", failed.Select(j => j.Type))}, or give x86_64 types EC2 sells as spot, such as " +
                $"{string.Join(", ", PipelineSettings.DefaultFallbackInstanceTypes)}.");
        if (judged.Where(j => j.Line.Outcome == CheckOutcome.Warning).ToList() is { Count: > 0 } warned)
            return new(FallbacksName, CheckOutcome.Warning, $"{string.Join(" ", warned.Select(j => j.Line.Detail))} {order}", Fix);
        return new(FallbacksName, CheckOutcome.Passed, $"{string.Join("; ", judged.Select(j => j.Line.Detail.TrimEnd('.')))}. {order}");
    }

    /// <summary>EC2's answer for each fallback in <paramref name="settings"/>, judged (<see cref="JudgeFallbacks"/>).</summary>
    public static async Task<CheckItem> JudgeFallbacksAsync(IAwsCloud cloud, PipelineSettings settings, string? architecture, CancellationToken ct)
    {
        var fallbacks = new List<(string, InstanceTypeFacts?)>();
        foreach (var type in settings.SpotInstanceTypes.Skip(1))
            fallbacks.Add((type, await cloud.InstanceTypeAsync(type, ct)));
        return JudgeFallbacks(settings.InstanceType, fallbacks, settings.AwsRegion, architecture);
    }
}
