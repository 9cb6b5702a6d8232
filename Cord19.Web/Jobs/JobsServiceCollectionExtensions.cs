using Cord19.Core.Execution;
using Cord19.Core.Configuration;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;

namespace Cord19.Web.Jobs;

public static class JobsServiceCollectionExtensions
{
    // The storages' default is 15 s; a click should start its phase within a second.
    private static readonly TimeSpan QueuePollInterval = TimeSpan.FromSeconds(0.5);

    /// <summary>Hangfire on SQLite under the data directory (or on PostgreSQL), with its server in this process.</summary>
    public static IServiceCollection AddCord19Jobs(this IServiceCollection services, Cord19Options options)
    {
        var data = options.Data;
        var postgres = options.StateDatabase.PostgresConnectionString;
        services.AddHangfire(config =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (string.IsNullOrWhiteSpace(postgres))
                config.UseSQLiteStorage(data.HangfireDatabase, new SQLiteStorageOptions { QueuePollInterval = QueuePollInterval });
            else
                config.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(postgres), new PostgreSqlStorageOptions
                {
                    QueuePollInterval = QueuePollInterval,
                    PrepareSchemaIfNecessary = true,
                });
        });
        services.AddHangfireServer(options =>
        {
            options.WorkerCount = 2;
            options.ServerName = $"cord19-{Environment.MachineName}-{Environment.ProcessId}";
        });
        services.AddSingleton<IPhaseJobScheduler, HangfirePhaseScheduler>();
        services.AddTransient<RunPhaseJob>();
        services.AddHostedService<RunCancellationRelay>();
        // SQLite state is one panel's (the data folder's lock): its start-up recovers every run, and no other instance exists.
        if (options.StateDatabase.IsPostgres) services.AddHostedService<InstanceLivenessLoop>();
        return services;
    }
}
