namespace Cord19.Core.Live;

/// <summary>
/// Reports on the reporting thread, at once: <see cref="Progress{T}"/> posts each report for later, so a reader
/// that throttles, or a test that cancels at a given point, would act on stale figures.
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
