using Cord19.Core;

namespace Cord19.Web.Jobs;

/// <summary>
/// How the panel's background services look at things (the cost meter, the live spot price, the idle cluster,
/// start-up reconciliation). A look that fails is logged and the service goes on: an exception thrown out of a hosted
/// service stops the whole app (.NET's default), budget guard included.
/// </summary>
public static class BackgroundLook
{
    /// <summary>
    /// One look. A <see cref="Cord19Exception"/> (AWS refusing or unreachable; its message is for people) is a warning;
    /// anything else (the database briefly locked, a timeout) an error with its stack. Only the app stopping ends it.
    /// </summary>
    public static async Task OnceAsync(string what, Func<CancellationToken, Task> look, ILogger logger, CancellationToken ct)
    {
        try
        {
            await look(ct);
        }
        catch (Cord19Exception ex)
        {
            logger.LogWarning("{What} was not done this time: {Message}", what, ex.Message);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogError(ex, "{What} failed.", what);
        }
    }

    /// <summary>A look every <paramref name="interval"/> until the app stops: the first at once, or after one interval.</summary>
    public static async Task EveryAsync(TimeSpan interval, bool firstAtOnce, TimeProvider clock, string what, Func<CancellationToken, Task> look,
        ILogger logger, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            if (firstAtOnce) await OnceAsync(what, look, logger, ct);
            while (await timer.WaitForNextTickAsync(ct))
                await OnceAsync(what, look, logger, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The app is stopping: the host would otherwise log this as the service failing.
        }
    }
}
