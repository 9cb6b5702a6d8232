namespace Cord19.Core.Live;

/// <summary>
/// The one change stream of the app: writers publish once, every open page (and any other listener) gets
/// its own copy. On SQLite (one instance) it stays in the process; on PostgreSQL <see cref="PostgresDeploymentFeed"/>
/// also carries every change to the other instances.
/// </summary>
public interface IDeploymentFeed
{
    void Publish(DeploymentChange change);

    /// <summary>How many changes were published so far in this process.</summary>
    long Published { get; }

    /// <summary>Changes published after the call, until <paramref name="cancellationToken"/> fires.</summary>
    IAsyncEnumerable<DeploymentChange> WatchAsync(CancellationToken cancellationToken);
}

// A dropped log line is the worst a slow page can lose: it re-reads its snapshot on any status change.
public sealed class DeploymentFeed() : Broadcast<DeploymentChange>(2_000), IDeploymentFeed;
