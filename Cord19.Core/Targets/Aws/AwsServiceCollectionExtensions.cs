using Cord19.Core.Execution;
using Cord19.Core.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cord19.Core.Targets.Aws;

public static class AwsServiceCollectionExtensions
{
    /// <summary>
    /// The AWS target and what the pages need of AWS: the checklist, live status, reconciliation and orphans.
    /// Nothing here talks to AWS until the AWS target is used; credentials come from the SDK's standard chain.
    /// </summary>
    public static IServiceCollection AddCord19AwsTarget(this IServiceCollection services)
    {
        services.AddHttpClient(OperatorAddress.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddSingleton<OperatorAddress>();
        services.TryAddSingleton(sp => sp.GetRequiredService<Configuration.Cord19Options>().AwsTarget with
        {
            LookUpPublicAddress = sp.GetRequiredService<OperatorAddress>().LookUpAsync,
        });
        services.AddHttpClient(Airflow.PyPiAirflowReleases.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddSingleton<Airflow.IAirflowReleaseIndex>(sp => new Airflow.PyPiAirflowReleases(
            sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<AwsTargetOptions>().PackageIndex));
        services.AddHttpClient(AwsCloudFactory.HttpClientName);
        services.TryAddSingleton<IAwsCloudFactory, AwsCloudFactory>();
        services.AddSingleton<IConfigureOptions<HttpClientFactoryOptions>, PinnedAirflowHandlers>();
        services.TryAddSingleton<IAirflowConnector, AirflowConnector>();
        services.AddSingleton<ITarget, AwsTarget>();
        services.AddSingleton<AwsChecklist>();
        services.AddSingleton<ClusterGuard>();
        services.AddSingleton<EndedInstanceGuard>();
        services.AddSingleton<AwsReconciler>();
        services.AddSingleton<AirflowPasswordRotation>();
        services.AddSingleton<DeploymentBills>();
        services.AddSingleton<InstanceProcessingForecasts>();
        services.AddSingleton<Costs.LiveSpotPrices>();
        services.AddSingleton<SpotPriceWatcher>();
        services.AddSingleton(sp => new AwsStatusMonitor(
            sp.GetRequiredService<IAwsCloudFactory>(), sp.GetRequiredService<IAirflowConnector>(),
            sp.GetRequiredService<Deployments.DeploymentStore>(), sp.GetRequiredService<SettingsStore>(), sp.GetRequiredService<TimeProvider>(),
            options: sp.GetRequiredService<AwsTargetOptions>(), logger: sp.GetRequiredService<ILogger<AwsStatusMonitor>>()));
        return services;
    }
}
