using Cord19.Core.Airflow;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Live;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The Airflow the pages talk to when none is configured by address: the current AWS deployment's, on its
/// instance, signed in with the admin password from SSM. The lookup (and a failed one) is kept until the change
/// feed says a phase or a resource changed — a new instance is always a new ledger entry — or for 30 s at most,
/// for changes made by another panel instance. With no AWS deployment it answers as
/// <see cref="UnconfiguredAirflowClient"/> does.
/// </summary>
public sealed class DeploymentAirflowClient(
    DeploymentStore store, SettingsStore settingsStore, IAwsCloudFactory clouds, IAirflowConnector connector, IDeploymentFeed feed, TimeProvider clock,
    AwsTargetOptions options)
    : IAirflowClient
{
    private static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (IAirflowClient? Client, AirflowException? Failure, long Changes, DateTimeOffset At)? _current;

    private async Task<IAirflowClient> ClientAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var changes = feed.Published;
            if (_current is not { } current || current.Changes != changes || clock.GetUtcNow() - current.At >= MaxStaleness)
            {
                try
                {
                    current = (await ResolveAsync(ct), null, changes, clock.GetUtcNow());
                }
                catch (AirflowException ex)
                {
                    // Kept like an answer: the Airflow page polls every few seconds, AWS should not be asked as often.
                    current = (null, ex, changes, clock.GetUtcNow());
                }
                _current = current;
            }
            return current.Client ?? throw current.Failure!;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IAirflowClient> ResolveAsync(CancellationToken ct)
    {
        if (await store.GetWithRunsAsync(ct: ct) is not { Deployment: { HasEnded: false, Target: DeploymentTarget.Aws } deployment } found)
            return new UnconfiguredAirflowClient();
        var settings = DeploymentPinning.Pin(deployment, found.Runs, await settingsStore.GetAsync(ct));
        try
        {
            return await clouds.WithCloudAsync(settings.AwsRegion, async cloud =>
            {
                var names = new DeploymentNames(deployment.Id);
                if (await cloud.FindInstanceAsync(deployment.Id, ct) is not { State: "running", PublicIp: { } ip })
                    throw new AirflowException(AirflowProblem.Unreachable, "The AWS deployment's instance is not running: run phase 1 (it starts Airflow).");
                return await InstanceAirflow.ConnectAsync(connector, cloud, names, options.InstanceAirflowAddress(ip), settings.AirflowVersion, ct);
            });
        }
        catch (Cord19Exception ex)
        {
            throw new AirflowException(AirflowProblem.Unreachable, $"Could not find the AWS deployment's Airflow: {ex.Message}", inner: ex);
        }
    }

    private async Task<T> CallAsync<T>(Func<IAirflowClient, Task<T>> call, CancellationToken ct) => await call(await ClientAsync(ct));

    public Task<AirflowServer> GetServerAsync(CancellationToken cancellationToken = default) => CallAsync(c => c.GetServerAsync(cancellationToken), cancellationToken);
    public Task<AirflowHealth> GetHealthAsync(CancellationToken cancellationToken = default) => CallAsync(c => c.GetHealthAsync(cancellationToken), cancellationToken);
    public Task<IReadOnlyList<AirflowDag>> ListDagsAsync(CancellationToken cancellationToken = default) => CallAsync(c => c.ListDagsAsync(cancellationToken), cancellationToken);
    public Task<AirflowDag> SetPausedAsync(string dagId, bool paused, CancellationToken cancellationToken = default) => CallAsync(c => c.SetPausedAsync(dagId, paused, cancellationToken), cancellationToken);
    public Task<AirflowDagRun> TriggerAsync(string dagId, AirflowTrigger trigger, CancellationToken cancellationToken = default) => CallAsync(c => c.TriggerAsync(dagId, trigger, cancellationToken), cancellationToken);
    public Task<IReadOnlyList<AirflowDagRun>> ListRunsAsync(string dagId, int limit = 25, CancellationToken cancellationToken = default) => CallAsync(c => c.ListRunsAsync(dagId, limit, cancellationToken), cancellationToken);
    public Task<AirflowDagRun> GetRunAsync(string dagId, string runId, CancellationToken cancellationToken = default) => CallAsync(c => c.GetRunAsync(dagId, runId, cancellationToken), cancellationToken);
    public Task<IReadOnlyList<AirflowTaskInstance>> ListTasksAsync(string dagId, string runId, CancellationToken cancellationToken = default) => CallAsync(c => c.ListTasksAsync(dagId, runId, cancellationToken), cancellationToken);
    public Task<AirflowLogPage> GetLogAsync(string dagId, string runId, string taskId, int tryNumber, string? continuationToken = null, CancellationToken cancellationToken = default) =>
        CallAsync(c => c.GetLogAsync(dagId, runId, taskId, tryNumber, continuationToken, cancellationToken), cancellationToken);
    public Task<int> ClearFailedTasksAsync(string dagId, string runId, CancellationToken cancellationToken = default) => CallAsync(c => c.ClearFailedTasksAsync(dagId, runId, cancellationToken), cancellationToken);
}
