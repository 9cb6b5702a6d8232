using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Live;

namespace Cord19.Web.ServiceClient;

public sealed class DeploymentClient(DeploymentStore store, IDeploymentFeed feed, PhaseService phases) : IDeploymentClient
{
    public Task<DeploymentSnapshot> GetSnapshotAsync(CancellationToken ct) => store.GetSnapshotAsync(ct);
    public Task<IReadOnlyList<LogLine>> GetLogAsync(Guid runId, CancellationToken ct) => store.GetLogAsync(runId, ct);
    public IAsyncEnumerable<DeploymentChange> WatchAsync(CancellationToken ct) => feed.WatchAsync(ct);
    public Task<RunRequestOutcome> RequestRunAsync(RunRequest request, CancellationToken ct) => phases.RequestAsync(request, ct);
}
