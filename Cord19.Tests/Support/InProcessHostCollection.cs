namespace Cord19.Tests.Support;

/// <summary>
/// Test classes that host the web app in this process run one after another: Hangfire keeps its job storage
/// in a process-wide static (JobStorage.Current), so two in-process apps at once would enqueue into each
/// other's storage. Apps started as their own process (RunningApp) are not affected.
/// </summary>
[CollectionDefinition(Name)]
public sealed class InProcessHostCollection
{
    public const string Name = "In-process web host";
}
