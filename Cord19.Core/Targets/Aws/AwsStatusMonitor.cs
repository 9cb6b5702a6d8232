using Cord19.Core.Airflow;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Live;
using Cord19.Core.Settings;
using Microsoft.Extensions.Logging;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Live status of AWS deployments for the pages: spot request and instance state, Airflow's health, the Redshift
/// cluster's status, and CloudWatch CPU of both. Server-side, one poller per deployment however many browsers
/// watch (<see cref="SharedPolling{TKey,TSnapshot}"/>), every 15 s, backing off to 2 minutes while AWS fails.
/// </summary>
public sealed class AwsStatusMonitor : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private readonly IAwsCloudFactory _clouds;
    private readonly IAirflowConnector _airflow;
    private readonly DeploymentStore _store;
    private readonly SettingsStore _settings;
    private readonly TimeProvider _clock;
    private readonly SharedPolling<Guid, AwsStatus> _polling;
    private readonly AwsTargetOptions _options;

    /// <summary>This machine's public address, asked of AWS's checkip service at most every few minutes while Airflow is silent.</summary>
    private KnownAddress? _address;
    private sealed record KnownAddress(string Cidr, DateTimeOffset At);
    private static readonly TimeSpan AddressLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The certificate an instance's Airflow serves does not change while the instance lives: read from SSM once per
    /// instance, not on every 15 s look. A replacement may serve a new one (phase 1 makes one when its parameters are gone).
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _pins = new(StringComparer.Ordinal);

    public AwsStatusMonitor(IAwsCloudFactory clouds, IAirflowConnector airflow, DeploymentStore store, SettingsStore settings, TimeProvider clock,
        TimeSpan? interval = null, AwsTargetOptions? options = null, ILogger<AwsStatusMonitor>? logger = null)
    {
        (_clouds, _airflow, _store, _settings, _clock, _options) = (clouds, airflow, store, settings, clock, options ?? new AwsTargetOptions());
        var every = interval ?? Interval;
        _polling = new(LookAsync, s => s.Problem is not null, _ => every, every, TimeSpan.FromMinutes(2), clock, logger);
    }

    public IAsyncEnumerable<AwsStatus> WatchAsync(Guid deploymentId, CancellationToken ct) => _polling.WatchAsync(deploymentId, ct);

    public int ActivePollers => _polling.ActivePollers;

    public void Dispose() => _polling.Dispose();

    private async Task<AwsStatus> LookAsync(Guid deploymentId, AwsStatus? previous, CancellationToken ct)
    {
        var region = previous?.Region ?? "";
        try
        {
            var found = await _store.GetWithRunsAsync(deploymentId, ct)
                ?? throw new InvalidOperationException($"There is no deployment {deploymentId}.");
            var settings = DeploymentPinning.Pin(found.Deployment, found.Runs, await _settings.GetAsync(ct));
            region = settings.AwsRegion;
            return await _clouds.WithCloudAsync(region, async cloud =>
            {
                var names = new DeploymentNames(deploymentId);
                var instance = await cloud.FindInstanceAsync(deploymentId, ct);
                var cluster = await cloud.FindClusterAsync(names.Cluster, ct);
                var health = instance is { State: "running", PublicIp: not null } ? await AirflowHealthAsync(cloud, names, instance, settings, ct) : null;
                var instanceCpu = instance is { State: "running" } ? await cloud.CpuAsync("AWS/EC2", "InstanceId", instance.InstanceId, ct) : null;
                var clusterCpu = cluster is { Status: "available" } ? await cloud.CpuAsync("AWS/Redshift", "ClusterIdentifier", cluster.Identifier, ct) : null;
                return new AwsStatus(deploymentId, region, instance, health, cluster, instanceCpu, clusterCpu, _clock.GetUtcNow(), null)
                {
                    InstanceEndsAt = instance is { HasEnded: false } ? InstanceEndOfLife.Deadline(instance, found.Runs) : null,
                    AwaitsPhaseThree = instance is { HasEnded: false } && DagsOnInstance.InstalledBeforeLaunch(instance, found.Runs) is not null,
                };
            });
        }
        catch (Exception ex) when (ex is Cord19Exception or InvalidOperationException)
        {
            return new AwsStatus(deploymentId, region, previous?.Instance, previous?.AirflowHealth, previous?.Cluster,
                previous?.InstanceCpuPercent, previous?.ClusterCpuPercent, _clock.GetUtcNow(), ex.Message);
        }
    }

    /// <summary>Airflow's health endpoint needs no sign-in, so the status poll never reads the admin password.</summary>
    private async Task<string> AirflowHealthAsync(IAwsCloud cloud, DeploymentNames names, InstanceState instance, PipelineSettings settings, CancellationToken ct)
    {
        if (!_pins.TryGetValue(instance.InstanceId, out var pin))
        {
            try
            {
                _pins[instance.InstanceId] = pin = await InstanceAirflow.PinAsync(cloud, names, ct);
            }
            catch (AirflowException ex)
            {
                // Its certificate's parameter is gone: no look at Airflow could be trusted, and the message says what to run.
                return ex.Message;
            }
        }
        try
        {
            var options = InstanceAirflow.Options(_options.InstanceAirflowAddress(instance.PublicIp!), settings.AirflowVersion, password: null, pin);
            var health = await _airflow.Connect(options with { Timeout = TimeSpan.FromSeconds(5) }).GetHealthAsync(ct);
            return health.IsHealthy ? "healthy" : $"scheduler {health.Scheduler ?? "unknown"}, database {health.Metadatabase ?? "unknown"}";
        }
        catch (AirflowException ex)
        {
            var silent = $"not answering ({ex.Problem})";
            return ex.Problem is AirflowProblem.Unreachable or AirflowProblem.TimedOut && await NotAdmittedAsync(cloud, names, settings, ct) is { } why
                ? $"{silent}: {why}"
                : silent;
        }
    }

    /// <summary>
    /// Why Airflow may be silent to this machine: its port admits only the addresses phases opened it to, and a laptop
    /// that moved since has another one. Null when the port admits this machine, or when that cannot be told now.
    /// </summary>
    private async Task<string?> NotAdmittedAsync(IAwsCloud cloud, DeploymentNames names, PipelineSettings settings, CancellationToken ct)
    {
        try
        {
            if (await cloud.IngressAsync(names.AirflowSecurityGroup, AwsNames.AirflowPort, ct) is not { Ranges: { Count: > 0 } admitted }) return null;
            var here = await OperatorAddress.OfOperatorAsync(settings, ThisMachineAsync, ct);
            var whose = string.IsNullOrWhiteSpace(settings.OperatorCidr) ? "this machine's address now" : "the operator address in Settings";
            return OperatorAddress.IsAdmitted(admitted, here) ? null
                : $"port {AwsNames.AirflowPort} admits {string.Join(", ", admitted)}, not {here} ({whose}); the next phase you run opens it to that address";
        }
        catch (Cord19Exception)
        {
            // A diagnosis that cannot be made leaves the status as it is.
            return null;
        }
    }

    private async Task<string> ThisMachineAsync(CancellationToken ct)
    {
        if (_address is { } known && _clock.GetUtcNow() - known.At < AddressLifetime) return known.Cidr;
        var cidr = await _options.LookUpPublicAddress(ct);
        _address = new KnownAddress(cidr, _clock.GetUtcNow());
        return cidr;
    }
}
