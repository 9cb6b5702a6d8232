using System.Text.RegularExpressions;
using Cord19.Tests.Support;

namespace Cord19.Tests.Pipeline;

public sealed partial class ParallelWorkTests
{
    [Fact]
    public void Every_parallel_loop_of_the_pipeline_runs_one_worker_a_core()
    {
        // The local target runs these loops in the panel's process. A loop without a limit takes every thread the pool
        // gives it, and the panel's requests wait behind it (11-20 s while phase 6 placed a million documents on the map).
        var core = Path.Combine(RunningApp.RepositoryRoot(), "Cord19.Core");
        var loops = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => ParallelLoop().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Call: m.Value)))
            .ToList();

        Assert.NotEmpty(loops);
        var unlimited = loops.Where(l => !l.Call.Contains("ParallelWork.Options(")).Select(l => $"{l.File}: {l.Call}").ToList();
        Assert.True(unlimited.Count == 0, "Give these loops ParallelWork.Options(…) as their options: " + string.Join("; ", unlimited));
    }

    // A loop's call up to its first lambda (its body, or its thread-local state), after which no options come.
    [GeneratedRegex(@"Parallel\.For(Each)?\(.*?=>", RegexOptions.Singleline)]
    private static partial Regex ParallelLoop();
}
