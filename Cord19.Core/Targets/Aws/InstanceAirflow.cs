using Cord19.Core.Airflow;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// How the panel reaches the Airflow on a deployment's instance: HTTPS on its public address, port 8080, the API of the
/// chosen release, the certificate phase 1 made pinned.
/// </summary>
public static class InstanceAirflow
{
    /// <summary>The instance's Airflow address; <see cref="AwsTargetOptions.InstanceAirflowAddress"/> may point elsewhere (a test's stand-in).</summary>
    public static Uri DefaultAddress(string publicIp) => new($"https://{publicIp}:{AwsNames.AirflowPort}/");

    /// <param name="password">Null for the health endpoint, which needs no sign-in.</param>
    public static AirflowOptions Options(Uri address, string airflowVersion, string? password, string certificateSha256) => new()
    {
        BaseUrl = address,
        Username = password is null ? null : AwsNames.AirflowUser,
        Password = password,
        ApiVersion = airflowVersion.StartsWith("3.", StringComparison.Ordinal) ? AirflowApiVersion.V2 : AirflowApiVersion.V1,
        CertificateSha256 = certificateSha256,
        AddressFix = "The instance's Airflow may be starting, restarting or gone with its instance: see the instance's state and Airflow's health on the AWS page " +
            $"(and {AwsTargetOptions.AirflowUrlVariable}, if you reach it through a port forward). If this machine's public address changed since the last phase, " +
            $"the next phase opens port {AwsNames.AirflowPort} to it.",
        CredentialsFix = "Its admin password is not the one in SSM Parameter Store: use Rotate the Airflow password on the AWS page.",
    };

    /// <summary>Signed in as the admin, with the password phase 1 keeps in SSM Parameter Store, to the pinned certificate.</summary>
    public static async Task<IAirflowClient> ConnectAsync(IAirflowConnector connector, IAwsCloud cloud, DeploymentNames names, Uri address, string airflowVersion, CancellationToken ct)
    {
        var password = await cloud.GetSecretAsync(names.AirflowPasswordParameter, ct)
            ?? throw new AirflowException(AirflowProblem.Unauthorized,
                $"The Airflow password parameter {names.AirflowPasswordParameter} is missing, so the panel cannot sign in to the instance's Airflow. " +
                "Run phase 1 again: it puts a new password in place and sets it on the running instance.");
        return connector.Connect(Options(address, airflowVersion, password, await PinAsync(cloud, names, ct)));
    }

    /// <summary>The SHA-256 of the certificate phase 1 made, which every connection to the instance's Airflow pins.</summary>
    public static async Task<string> PinAsync(IAwsCloud cloud, DeploymentNames names, CancellationToken ct) =>
        await cloud.GetSecretAsync(names.AirflowCertificateParameter, ct) is { } certificate
            ? AirflowCertificate.Sha256Of(certificate)
            : throw new AirflowException(AirflowProblem.Unreachable,
                $"The Airflow certificate parameter {names.AirflowCertificateParameter} is missing, so the panel cannot tell the instance's Airflow from an impostor. Run phase 7, then phase 1.");
}
