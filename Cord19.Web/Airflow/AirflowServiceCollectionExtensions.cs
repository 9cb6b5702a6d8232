using Cord19.Core.Airflow;
using Cord19.Core.Targets.Aws;

namespace Cord19.Web.Airflow;

public static class AirflowServiceCollectionExtensions
{
    private const string ConfiguredAirflow = "airflow";

    /// <summary>
    /// The Airflow client and the run watcher. CORD19_AIRFLOW_URL names an Airflow; without it, the current AWS
    /// deployment's Airflow is used once phase 1 has started it (and until then every call says how to get one).
    /// One client for the app: it caches the detected API version and Airflow 3's JWT.
    /// </summary>
    /// <param name="options">The configured Airflow (CORD19_AIRFLOW_*); null: the AWS deployment's, once it has one.</param>
    public static IServiceCollection AddCord19Airflow(this IServiceCollection services, AirflowOptions? options)
    {
        if (options is null)
        {
            services.AddSingleton<IAirflowClient, DeploymentAirflowClient>();
        }
        else
        {
            services.AddSingleton(options);
            // Airflow 2 redirects a refused browser request to its login page; the API must see that refusal, not the page.
            // The factory recycles the handler, so a moved Airflow (DNS change) is found again.
            services.AddHttpClient(ConfiguredAirflow, client => client.Timeout = Timeout.InfiniteTimeSpan)
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
            // One client for the app: it caches the detected API version and Airflow 3's JWT.
            services.AddSingleton<IAirflowClient>(sp => new AirflowClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(ConfiguredAirflow), options));
        }
        services.AddSingleton<AirflowRunWatcher>(sp => new AirflowRunWatcher(sp.GetRequiredService<IAirflowClient>(), sp.GetRequiredService<TimeProvider>(),
            logger: sp.GetRequiredService<ILogger<AirflowRunWatcher>>()));
        return services;
    }
}
