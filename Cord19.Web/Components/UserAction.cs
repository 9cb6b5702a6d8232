using Cord19.Core;

namespace Cord19.Web.Components;

/// <summary>
/// A person's action on a page, the pages' one catch: a failure they can act on (<see cref="Cord19Exception"/>) becomes
/// the message the page shows, and the server log records what was shown; anything else is a bug and goes to the
/// error page. Leaving the page (its token cancelled) is not a failure.
/// </summary>
public static class UserAction
{
    /// <summary>Null when <paramref name="action"/> succeeded; otherwise the failure, whose message the page shows (cause and fix).</summary>
    public static async Task<Cord19Exception?> RunAsync(Func<Task> action, ILogger logger, CancellationToken leaving = default)
    {
        try
        {
            await action();
            return null;
        }
        catch (Cord19Exception ex)
        {
            logger.LogWarning("Shown on the page ({Title}): {Message}", ex.Title, ex.Message);
            return ex;
        }
        catch (OperationCanceledException) when (leaving.IsCancellationRequested)
        {
            return null;
        }
    }
}
