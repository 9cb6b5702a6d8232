using Cord19.Core.Airflow;

namespace Cord19.Core.Targets.Aws;

/// <summary>Makes an Airflow client for the deployment's instance; tests hand back a fake one.</summary>
public interface IAirflowConnector
{
    IAirflowClient Connect(AirflowOptions options);
}

public sealed class AirflowConnector : IAirflowConnector
{
    public IAirflowClient Connect(AirflowOptions options) =>
        new AirflowClient(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan }, options);
}
