using Cord19.Core.Airflow;
using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Airflow;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Support.Aws;

/// <summary>
/// The real Core services with the AWS target on: the account replaced at the target's seam by
/// <see cref="FakeAwsCloud"/>, the instance's Airflow by <see cref="FakeAirflowClient"/>, PyPI by
/// <see cref="FakeAirflowReleaseIndex"/>, and waits shortened.
/// </summary>
public sealed class AwsTargetHarness : IAsyncDisposable
{
    private AwsTargetHarness(CoreHarness core, FakeAwsCloud cloud, FakeAirflowClient airflow, RecordingConnector connector, FakeAirflowReleaseIndex releases)
    {
        Core = core;
        Cloud = cloud;
        Airflow = airflow;
        Connector = connector;
        Releases = releases;
    }

    public CoreHarness Core { get; }
    public FakeAwsCloud Cloud { get; }
    public FakeAirflowClient Airflow { get; }
    public RecordingConnector Connector { get; }
    public FakeAirflowReleaseIndex Releases { get; }

    public static async Task<AwsTargetHarness> StartAsync(PipelineSettings? settings = null, TimeSpan? airflowReadyLimit = null, TimeSpan? airflowOutageLimit = null,
        TimeSpan? addresslessGrace = null, TimeSpan? instanceStartLimit = null, TimeSpan? clusterLimit = null)
    {
        var files = new TempDirectory();
        var bundle = Directory.CreateDirectory(Path.Combine(files.Path, "bundle")).FullName;
        await File.WriteAllTextAsync(Path.Combine(bundle, PipelineBundle.Program), "#!/bin/sh\necho cord19-pipeline\n");
        var cloud = new FakeAwsCloud(Path.Combine(files.Path, "s3"));
        var airflow = new FakeAirflowClient();
        var connector = new RecordingConnector(airflow);
        var releases = new FakeAirflowReleaseIndex();
        var publicAddress = new System.Runtime.CompilerServices.StrongBox<string>("203.0.113.7/32");
        var core = await CoreHarness.StartAsync(configure: services =>
        {
            services.AddSingleton<IAwsCloudFactory>(cloud);
            services.AddSingleton<IAirflowConnector>(connector);
            services.AddSingleton<IAirflowReleaseIndex>(releases);
            services.AddSingleton(new AwsTargetOptions
            {
                PollInterval = TimeSpan.FromMilliseconds(1),
                AirflowReadyLimit = airflowReadyLimit ?? TimeSpan.FromSeconds(10),
                // Everything here settles within a few looks; a wait that would take longer is the test's failure.
                InstanceStartLimit = instanceStartLimit ?? TimeSpan.FromSeconds(10),
                AddresslessGrace = addresslessGrace ?? TimeSpan.FromMilliseconds(50),
                ClusterLimit = clusterLimit ?? TimeSpan.FromSeconds(10),
                AirflowAnswerLimit = TimeSpan.FromSeconds(10),
                RunCommand = new RunCommandLimits(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)),
                DagRunLimit = TimeSpan.FromSeconds(10),
                AirflowOutageLimit = airflowOutageLimit ?? TimeSpan.FromSeconds(10),
                DeletionLimit = TimeSpan.FromSeconds(1),
                PipelineBundle = bundle,
                LookUpPublicAddress = _ => Task.FromResult(publicAddress.Value!),
            });
        });
        var errors = await core.Settings.SaveAsync(settings ?? new PipelineSettings { Target = DeploymentTarget.Aws });
        Assert.Empty(errors);
        return new AwsTargetHarness(core, cloud, airflow, connector, releases) { FilesToDelete = files, PublicAddress = publicAddress };
    }

    private TempDirectory? FilesToDelete { get; init; }

    /// <summary>This machine's public address as AWS's checkip service would give it; a test moves the machine by changing it.</summary>
    public required System.Runtime.CompilerServices.StrongBox<string> PublicAddress { get; init; }

    public T Get<T>() where T : notnull => Core.Services.GetRequiredService<T>();

    public async Task<Guid> DeploymentIdAsync() => (await Core.Store.GetSnapshotAsync()).Deployment!.Id;

    /// <summary>The names of the current deployment's resources, in the fake's account and region.</summary>
    public async Task<AwsNames> NamesAsync() => new(await DeploymentIdAsync(), FakeAwsCloud.Account, "us-east-2");

    public async Task<string> ConfirmationAsync() => $"cord19-{ResourceTags.Short(await DeploymentIdAsync())}";

    /// <summary>The current deployment's meters as they stand at <paramref name="at"/>, from its ledger.</summary>
    public async Task<CostSnapshot> MetersAtAsync(DateTime at)
    {
        var found = (await Core.Store.GetWithRunsAsync())!.Value;
        return CostMeterService.Measure(found.Deployment, found.Runs, await Core.Settings.GetAsync(), at);
    }

    /// <summary>The meters an hour from now: what is still billing shows in the burn rate.</summary>
    public Task<CostSnapshot> MetersInAnHourAsync() => MetersAtAsync(DateTime.UtcNow.AddHours(1));

    /// <summary>One kind's meter; zero when the ledger has nothing of that kind.</summary>
    public static ResourceCost Meter(CostSnapshot meters, MeterKind kind) =>
        meters.Resources.SingleOrDefault(r => r.Kind == kind) ?? new ResourceCost(kind.ToString(), kind, 0m, 0m, 0m, null);

    public async ValueTask DisposeAsync()
    {
        await Core.DisposeAsync();
        FilesToDelete?.Dispose();
    }

    public sealed class RecordingConnector(IAirflowClient client) : IAirflowConnector
    {
        public List<AirflowOptions> Connections { get; } = [];

        public IAirflowClient Connect(AirflowOptions options)
        {
            lock (Connections) Connections.Add(options);
            return client;
        }
    }
}
