namespace Cord19.Core.Numerics;

/// <summary>
/// How the pipeline's loops share the machine. A <see cref="Parallel"/> loop with no limit takes every thread the pool
/// gives it, and the local target runs the loops in the panel's own process: while the map of a million documents was
/// placed, the panel's API answered after 11-20 s, its requests queued behind the loop's work. One worker a core is
/// all the loops can use, and leaves the pool's other threads to answer.
/// </summary>
public static class ParallelWork
{
    public static ParallelOptions Options(CancellationToken ct = default) =>
        new() { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct };
}
