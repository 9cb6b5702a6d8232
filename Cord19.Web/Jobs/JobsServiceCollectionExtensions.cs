using Cord19.Core.Execution;
using Cord19.Core.Settings;
using Hangfire;
using Hangfire.Storage.SQLite;

namespace Cord19.Web.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Hangfire on SQLite under the data directory, with its server in this process.</summary>
    public static IServiceCollection AddCord19Jobs(this IServiceCollection services, DataDirectory data)
    {
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseSQLiteStorage(data.HangfireDatabase, new SQLiteStorageOptions
            {
                // The default is 15 s; a click should start its phase within a second.
                QueuePollInterval = TimeSpan.FromSeconds(0.5),
            }));
        services.AddHangfireServer(options =>
        {
            options.WorkerCount = 2;
            options.ServerName = $"cord19-{Environment.MachineName}-{Environment.ProcessId}";
        });
        services.AddSingleton<IPhaseJobScheduler, HangfirePhaseScheduler>();
        services.AddTransient<RunPhaseJob>();
        return services;
    }
}
