using Cord19.Core.Targets.Aws;

namespace Cord19.Web.Model;

/// <summary>
/// What a run of the AWS checklist comes to, in one sentence above its lines: the red lines to fix, and the amber ones
/// (a check that could not tell, or a concern) said apart, since neither stops phase 1 but a reader scanning for red
/// should not take them for green.
/// </summary>
public static class ChecklistSummary
{
    /// <returns>The sentence, and whether nothing failed.</returns>
    public static (string Text, bool NothingFailed) Of(IReadOnlyList<CheckItem> checks)
    {
        var failed = checks.Count(c => c.Outcome == CheckOutcome.Failed);
        var amber = checks.Count(c => c.Outcome == CheckOutcome.Warning);
        var amberSaid = $"{amber} could not tell or want a look (amber)";
        return failed > 0
            ? ($"{failed} check{(failed == 1 ? "" : "s")} failed{(amber > 0 ? $", and {amberSaid}" : "")}; each says how to fix it.", false)
            : amber > 0
                ? ($"No check failed: phase 1 can start. {amberSaid}; each says why.", true)
                : ("Every check passed: phase 1 can start.", true);
    }
}
