using System.Collections.Concurrent;
using Cord19.Core;
using Cord19.Core.Configuration;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Support;

/// <summary>
/// The real Core services (SQLite, local target, folder result store) in a temporary data directory, with
/// the job system replaced at its seam by a scheduler that runs each phase on the thread pool.
/// </summary>
public sealed class CoreHarness : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ServiceProvider _services;

    private readonly string? _postgres;

    private CoreHarness(TimeProvider? clock, string? postgres, Action<IServiceCollection>? configure, Action<Cord19Options>? options)
    {
        _postgres = postgres;
        Data = new DataDirectory(_dir.Path);
        var services = new ServiceCollection().AddLogging();
        // Before the Core services: seams registered here (the AWS account, Airflow) replace the real ones.
        configure?.Invoke(services);
        var configured = new Cord19Options { DataDirectory = Data.Root, Postgres = postgres };
        options?.Invoke(configured);
        services.AddCord19Core(configured);
        if (clock is not null) services.AddSingleton(clock);
        services.AddSingleton<BackgroundScheduler>();
        services.AddSingleton<IPhaseJobScheduler>(sp => sp.GetRequiredService<BackgroundScheduler>());
        _services = services.BuildServiceProvider();
    }

    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <param name="clock">A fake clock for tests of time (costs, budgets); the system clock otherwise.</param>
    /// <param name="database"><see cref="Sqlite"/> (the default) or <see cref="Postgres"/>: a fresh database on the test server.</param>
    /// <param name="configure">Replaces seams before the Core services are added, e.g. the AWS account with a fake.</param>
    /// <param name="options">Sets what the CORD19_* variables would, e.g. an S3 bucket for the results.</param>
    public static async Task<CoreHarness> StartAsync(TimeProvider? clock = null, string database = Sqlite, Action<IServiceCollection>? configure = null,
        Action<Cord19Options>? options = null)
    {
        var postgres = database == Postgres ? await TestPostgres.CreateDatabaseAsync() : null;
        var harness = new CoreHarness(clock, postgres, configure, options);
        await harness._services.InitializeCord19Async();
        return harness;
    }

    public DataDirectory Data { get; }
    public IServiceProvider Services => _services;
    public DeploymentStore Store => _services.GetRequiredService<DeploymentStore>();
    public PhaseService Phases => _services.GetRequiredService<PhaseService>();
    public SettingsStore Settings => _services.GetRequiredService<SettingsStore>();
    public IResultStore Results => _services.GetRequiredService<IResultStore>();
    public BackgroundScheduler Scheduler => _services.GetRequiredService<BackgroundScheduler>();
    public Cord19.Core.Costs.CostMeterService Meter => _services.GetRequiredService<Cord19.Core.Costs.CostMeterService>();

    /// <summary>The store as another instance named <paramref name="instance"/> on the same database sees it: what it starts is its own.</summary>
    /// <param name="clock">That instance's clock, when it is not this one's.</param>
    public DeploymentStore StoreOfInstance(string instance, TimeProvider? clock = null) => new(
        _services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Cord19Db>>(), _services.GetRequiredService<Cord19.Core.Live.IDeploymentFeed>(),
        clock ?? _services.GetRequiredService<TimeProvider>(), new RunnerIdentity(instance));

    /// <summary>
    /// A run of <paramref name="phase"/>, requested and marked started by <paramref name="instance"/> (this one when null)
    /// with no job executing it: as another instance runs it, or as a crash leaves it.
    /// </summary>
    public async Task<PhaseRunView> StartedWithoutAJobAsync(int phase, DeploymentStore? instance = null)
    {
        Scheduler.Execute = false;
        var run = (await Phases.RequestAsync(new RunRequest(phase))).Run!;
        Scheduler.Execute = true;
        Assert.True(await (instance ?? Store).MarkStartedAsync(run.Id));
        return run;
    }

    /// <summary>Waits until the job of <paramref name="runId"/> has marked it started.</summary>
    public async Task UntilStartedAsync(Guid runId)
    {
        while ((await Store.FindRunAsync(runId))!.StartedAt is null) await Task.Delay(20);
    }

    /// <summary>Requests a phase and waits for its job to end; returns the phase's state afterwards.</summary>
    public async Task<PhaseState> RunAsync(int phase, bool resume = false, bool deleteResults = false, string? confirmation = null)
    {
        var outcome = await Phases.RequestAsync(new RunRequest(phase, resume, deleteResults, Confirmation: confirmation));
        Assert.True(outcome.Accepted, $"phase {phase} refused: {outcome.Refusal}");
        await Scheduler.WaitAsync(outcome.Run!.Id);
        return (await Store.GetSnapshotAsync())[phase];
    }

    public async Task<string> LogTextAsync(PhaseState state) =>
        string.Join("\n", (await Store.GetLogAsync(state.LatestRun!.Id)).Select(l => $"[{l.Step}] {l.Message}"));

    public async ValueTask DisposeAsync()
    {
        await Scheduler.StopAsync();
        await _services.DisposeAsync();
        if (_postgres is not null) await TestPostgres.DropDatabaseAsync(_postgres);
        _dir.Dispose();
    }

    public sealed class BackgroundScheduler(PhaseRunner runner) : IPhaseJobScheduler
    {
        private readonly ConcurrentDictionary<Guid, Task> _jobs = new();
        private readonly CancellationTokenSource _stopping = new();

        /// <summary>When false, runs are recorded but no job starts (to simulate a crash before or during a run).</summary>
        public bool Execute { get; set; } = true;

        /// <summary>When set, queuing a run throws it, as a job storage that refuses does.</summary>
        public Exception? Refusal { get; set; }

        public string Enqueue(Guid runId)
        {
            if (Refusal is not null) throw Refusal;
            if (Execute) _jobs[runId] = Task.Run(() => runner.RunAsync(runId, _stopping.Token));
            return runId.ToString();
        }

        public Task WaitAsync(Guid runId) => _jobs.TryGetValue(runId, out var job) ? job : Task.CompletedTask;
        public Task WaitAllAsync() => Task.WhenAll(_jobs.Values);

        /// <summary>
        /// As the host stops: the runs still going are told, and waited for. A test that failed while a runner still waits
        /// (on a fake clock nobody advances any more) then ends instead of hanging the suite.
        /// </summary>
        public async Task StopAsync()
        {
            await _stopping.CancelAsync();
            foreach (var job in _jobs.Values)
            {
                try
                {
                    await job;
                }
                catch (OperationCanceledException)
                {
                    // Cut off by the stop, as the app's job server is: not what the test is about.
                }
            }
        }
    }
}
