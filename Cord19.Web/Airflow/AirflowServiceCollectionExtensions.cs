using Cord19.Core.Airflow;

namespace Cord19.Web.Airflow;

public static class AirflowServiceCollectionExtensions
{
    /// <summary>
    /// The Airflow client (or its stand-in when CORD19_AIRFLOW_URL is unset) and the run watcher. One client for
    /// the app: it caches the detected API version and Airflow 3's JWT.
    /// </summary>
    public static IServiceCollection AddCord19Airflow(this IServiceCollection services, IConfiguration configuration)
    {
        var options = AirflowOptions.FromConfiguration(key => configuration[key]);
        if (options is null)
        {
            services.AddSingleton<IAirflowClient, UnconfiguredAirflowClient>();
        }
        else
        {
            services.AddSingleton(options);
            services.AddSingleton<IAirflowClient>(_ => new AirflowClient(new HttpClient(new SocketsHttpHandler
            {
                // Long-lived client: recycle connections so a moved Airflow (DNS change) is found again.
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                // Airflow 2 redirects a refused browser request to its login page; the API must see that refusal, not the page.
                AllowAutoRedirect = false,
            }) { Timeout = Timeout.InfiniteTimeSpan }, options));
        }
        services.AddSingleton<AirflowRunWatcher>(sp => new AirflowRunWatcher(sp.GetRequiredService<IAirflowClient>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
