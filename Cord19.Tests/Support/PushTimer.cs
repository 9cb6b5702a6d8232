using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Support;

/// <summary>How long a phase's status takes from a click in one page to the change in others (live push, no reload).</summary>
public static class PushTimer
{
    /// <summary>Clicks the phase in one page; the watching pages must show Running, then Succeeded. Returns how long after the click each showed Running, in ms.</summary>
    public static async Task<(double Across, double Same)> ClickAndWatchAsync(int phase, IPage clicker, IPage watcher, IPage neighbour)
    {
        // The pages run in this browser on this machine, so Date.now() is one clock for the click and for the change.
        foreach (var page in new[] { watcher, neighbour })
            await page.EvaluateAsync("""
                phase => {
                  window.__runningAt = null;
                  const observer = new MutationObserver(() => {
                    const status = document.querySelector(`[data-testid=phase-${phase}-status]`);
                    if (status && status.textContent.trim() === 'Running') { window.__runningAt = Date.now(); observer.disconnect(); }
                  });
                  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
                }
                """, phase);
        await clicker.EvaluateAsync("""
            phase => document.querySelector(`[data-testid=phase-${phase}-run]`)
                .addEventListener('click', () => window.__clickedAt = Date.now(), { capture: true, once: true })
            """, phase);

        await clicker.Locator($"[data-testid=phase-{phase}-run]").ClickAsync();

        await Expect(watcher.Locator($"[data-testid=phase-{phase}-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        var clickedAt = await clicker.EvaluateAsync<double>("() => window.__clickedAt");
        var across = await watcher.EvaluateAsync<double?>("() => window.__runningAt");
        var same = await neighbour.EvaluateAsync<double?>("() => window.__runningAt");
        Assert.True(across is not null, $"the second instance's page never showed phase {phase} Running");
        return (across.Value - clickedAt, (same ?? double.NaN) - clickedAt);
    }
}
