namespace Cord19.Tests.Support;

/// <summary>Waits for what the code under test makes true in its own time, failing with what was awaited.</summary>
public static class Until
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string awaited, TimeSpan? limit = null)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < (limit ?? TimeSpan.FromSeconds(15)), $"Waited {deadline.Elapsed.TotalSeconds:0} s for {awaited}.");
            await Task.Delay(20);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string awaited, TimeSpan? limit = null) =>
        TrueAsync(() => Task.FromResult(condition()), awaited, limit);
}
