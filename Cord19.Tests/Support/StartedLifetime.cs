using Microsoft.Extensions.Hosting;

namespace Cord19.Tests.Support;

/// <summary>A host that has started and is not stopping: for services built outside a host that ask for its lifetime.</summary>
public sealed class StartedLifetime : IHostApplicationLifetime
{
    public CancellationToken ApplicationStarted { get; } = new(canceled: true);
    public CancellationToken ApplicationStopping => CancellationToken.None;
    public CancellationToken ApplicationStopped => CancellationToken.None;
    public void StopApplication() { }
}
