using System.Net.Security;
using Cord19.Core.Airflow;

namespace Cord19.Core.Targets.Aws;

/// <summary>Makes an Airflow client for the deployment's instance; tests hand back a fake one.</summary>
public interface IAirflowConnector
{
    IAirflowClient Connect(AirflowOptions options);
}

public sealed class AirflowConnector : IAirflowConnector
{
    public IAirflowClient Connect(AirflowOptions options)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        if (options.CertificateSha256 is { } pin)
        {
            // Pinned, not chained: the deployment's self-signed certificate and nothing else, whatever the name or the chain says.
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && string.Equals(AirflowCertificate.Sha256Of(certificate), pin, StringComparison.OrdinalIgnoreCase),
            };
        }
        return new AirflowClient(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, options);
    }
}
