using Cord19.Core.Airflow;
using Cord19.Core.Aws;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The Airflow the pages talk to when none is configured by address: the current AWS deployment's, on its
/// instance, signed in with the admin password from SSM. Looked up again every 30 s (and when a call fails to
/// reach it), so a new deployment's Airflow appears on the Airflow page without a restart. With no AWS
/// deployment running it answers as <see cref="UnconfiguredAirflowClient"/> does.
/// </summary>
public sealed class DeploymentAirflowClient(
    DeploymentStore store, SettingsStore settingsStore, IAwsCloudFactory clouds, IAirflowConnector connector, TimeProvider clock) : IAirflowClient
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (IAirflowClient Client, DateTimeOffset At)? _current;

    private async Task<IAirflowClient> ClientAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_current is { } current && clock.GetUtcNow() - current.At < Freshness) return current.Client;
            var client = await ResolveAsync(ct);
            _current = (client, clock.GetUtcNow());
            return client;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IAirflowClient> ResolveAsync(CancellationToken ct)
    {
        if (await store.GetWithRunsAsync(ct: ct) is not { Deployment: { HasEnded: false, Target: PipelineSettings.AwsTarget } deployment } found)
            return new UnconfiguredAirflowClient();
        var settings = DeploymentPinning.Pin(deployment, found.Runs, await settingsStore.GetAsync(ct));
        try
        {
            return await clouds.WithCloudAsync(settings.AwsRegion, async cloud =>
            {
                var names = new AwsNames(deployment.Id, Account: "");
                if (await cloud.FindInstanceAsync(names.InstanceClientToken, ct) is not { State: "running", PublicIp: { } ip })
                    throw new AirflowException(AirflowProblem.Unreachable, "The AWS deployment's instance is not running: run phase 1 (it starts Airflow).");
                var password = await cloud.GetSecretAsync(names.AirflowPasswordParameter, ct)
                    ?? throw new AirflowException(AirflowProblem.Unauthorized, $"The Airflow password parameter {names.AirflowPasswordParameter} is missing: run phase 1 again.");
                return connector.Connect(new AirflowOptions
                {
                    BaseUrl = new Uri($"http://{ip}:{AwsNames.AirflowPort}/"),
                    Username = AwsNames.AirflowUser,
                    Password = password,
                    ApiVersion = settings.AirflowVersion.StartsWith("3.", StringComparison.Ordinal) ? AirflowApiVersion.V2 : AirflowApiVersion.V1,
                });
            });
        }
        catch (Exception ex) when (ex is AwsException or AwsConfigurationException)
        {
            throw new AirflowException(AirflowProblem.Unreachable, $"Could not find the AWS deployment's Airflow: {ex.Message}", inner: ex);
        }
    }

    private async Task<T> CallAsync<T>(Func<IAirflowClient, Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call(await ClientAsync(ct));
        }
        catch (AirflowException ex) when (ex.Problem is AirflowProblem.Unreachable or AirflowProblem.TimedOut)
        {
            _current = null; // the instance may have moved (a new deployment, a new address): look again next time
            throw;
        }
    }

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
