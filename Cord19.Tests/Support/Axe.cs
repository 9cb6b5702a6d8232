using System.Text.Json;
using Microsoft.Playwright;

namespace Cord19.Tests.Support;

/// <summary>axe-core (npm, from tools/), the accessibility engine, asked about a page as it stands.</summary>
public static class Axe
{
    /// <summary>The serious and critical violations, one line each with an example element.</summary>
    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        var axe = Path.Combine(RunningApp.RepositoryRoot(), "tools", "node_modules", "axe-core", "axe.min.js");
        if (!File.Exists(axe)) throw new InvalidOperationException($"{axe} is missing: run ./test.sh, which installs the npm packages in tools/.");
        // Evaluated through the browser's debugging protocol, not added as a <script>: the panel's Content-Security-Policy
        // refuses inline scripts, as it should, and the test must not weaken it (Playwright's BypassCSP would hide its refusals).
        await page.EvaluateAsync(await File.ReadAllTextAsync(axe));
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help} — e.g. ${v.nodes[0].target.join(' ')}`)
            """);
        return violations.EnumerateArray().Select(v => v.GetString()!).ToList();
    }
}
