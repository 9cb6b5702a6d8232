using Cord19.Core.Configuration;
using Cord19.Core.Deployments;
using Cord19.Core.Deployments.Schema;
using Cord19.Core.Execution;
using Cord19.Core.Live;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Core.Targets.Local;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cord19.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// The deployment state (SQLite under the data directory, or PostgreSQL), the live feed, the phase runner, the local
    /// target with its result store (the data directory's folder, or S3), and the AWS target, as <paramref name="options"/>
    /// say. The host adds an <see cref="IPhaseJobScheduler"/>.
    /// </summary>
    public static IServiceCollection AddCord19Core(this IServiceCollection services, Cord19Options options)
    {
        var data = options.Data.EnsureExists();
        var database = options.StateDatabase;
        var s3 = options.ResultsBucket;
        services.AddSingleton(options);
        services.AddSingleton(data);
        services.AddSingleton(database);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(options.Runner);
        // AI2's releases, anonymously (AWS_ENDPOINT_URL_S3 for a mirror); one download at a time.
        services.AddHttpClient(Releases.MirrorAddress.HttpClientName);
        services.AddSingleton(sp => Releases.Cord19Releases.Anonymous(http: sp.GetRequiredService<IHttpClientFactory>().CreateClient(Releases.MirrorAddress.HttpClientName)));
        services.AddSingleton<Releases.ReleaseFetcher>();
        database.Register(services);
        if (database.IsPostgres)
        {
            // Several instances may share this database: the feed crosses them (LISTEN/NOTIFY).
            services.AddSingleton<PostgresDeploymentFeed>();
            services.AddSingleton<IDeploymentFeed>(sp => sp.GetRequiredService<PostgresDeploymentFeed>());
            services.AddHostedService(sp => sp.GetRequiredService<PostgresDeploymentFeed>());
        }
        else
        {
            services.AddSingleton<IDeploymentFeed, DeploymentFeed>();
        }
        services.AddSingleton<DeploymentStore>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<RunCancellations>();
        services.AddSingleton(options.InstanceLiveness);
        services.AddSingleton<InstanceLiveness>();
        services.AddSingleton(options.PhaseRunner);
        services.AddSingleton<PhaseRunner>();
        services.AddSingleton<PhaseService>();
        services.TryAddSingleton(sp => new ProcessingEstimator(sp.GetRequiredService<IResultStore>()));
        services.AddSingleton<Costs.BudgetGuard>();
        services.AddSingleton<Costs.CostMeterService>();
        services.AddSingleton<Costs.CostHistoryReader>();

        services.AddSingleton<IResultStore>(_ => new ResultStore(s3?.Open() ?? new LocalFolderObjectStore(data.Results)));
        services.AddSingleton(new LocalWorkspace(data));
        services.AddSingleton<PipelineProcess>();
        services.AddSingleton<ITarget, LocalTarget>();
        services.AddSingleton<DeallocationPlanner>();
        services.AddCord19AwsTarget();
        return services;
    }

    /// <summary>
    /// Creates or upgrades the database (migrations), marks runs that a previous process left "running" as interrupted and
    /// records this instance alive. Call before the job server starts.
    /// </summary>
    public static async Task InitializeCord19Async(this IServiceProvider services, CancellationToken ct = default)
    {
        await services.GetRequiredService<StateDatabase>().EnsureReachableAsync(ct);
        var factory = services.GetRequiredService<IDbContextFactory<Cord19Db>>();
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await SchemaUpgrade.ApplyAsync(db, ct);
            // WAL lets pages read while a phase writes its log.
            if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }

        var store = services.GetRequiredService<DeploymentStore>();
        await store.InterruptAbandonedRunsAsync(PhaseRunner.PanelStoppedReason, ct);
        // Alive before the job server takes a phase: no instance takes this one's runs for a silent instance's.
        await store.RecordAliveAsync(ct);
    }
}
