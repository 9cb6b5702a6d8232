using System.Net.Security;
using Cord19.Core.Airflow;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Cord19.Core.Targets.Aws;

/// <summary>Makes an Airflow client for the deployment's instance; tests hand back a fake one.</summary>
public interface IAirflowConnector
{
    IAirflowClient Connect(AirflowOptions options);
}

/// <summary>
/// Clients from IHttpClientFactory, one named client per certificate pin, so the handlers (and their TLS
/// connections) are pooled and recycled by the factory however often the status poll connects.
/// </summary>
public sealed class AirflowConnector(IHttpClientFactory http) : IAirflowConnector
{
    public IAirflowClient Connect(AirflowOptions options)
    {
        var client = http.CreateClient(PinnedAirflowHandlers.NameFor(options.CertificateSha256));
        client.Timeout = Timeout.InfiniteTimeSpan;
        return new AirflowClient(client, options);
    }
}

/// <summary>The primary handler of each pinned Airflow client: redirects off, the pinned certificate and nothing else.</summary>
public sealed class PinnedAirflowHandlers : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    private const string Prefix = "airflow-instance:";

    public static string NameFor(string? certificateSha256) => Prefix + certificateSha256?.ToLowerInvariant();

    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal)) return;
        var pin = name[Prefix.Length..];
        options.HttpMessageHandlerBuilderActions.Add(builder =>
        {
            var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
            if (pin.Length > 0)
            {
                // Pinned, not chained: the deployment's self-signed certificate and nothing else, whatever the name or the chain says.
                handler.SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                        certificate is not null && string.Equals(AirflowCertificate.Sha256Of(certificate), pin, StringComparison.OrdinalIgnoreCase),
                };
            }
            builder.PrimaryHandler = handler;
        });
    }

    public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);
}
