using Cord19.Core.Airflow;

namespace Cord19.Core.Targets.Aws;

/// <summary>How the panel reaches the Airflow on a deployment's instance: its public address, port 8080, the API of the chosen release.</summary>
public static class InstanceAirflow
{
    /// <param name="password">Null for the health endpoint, which needs no sign-in.</param>
    public static AirflowOptions Options(string publicIp, string airflowVersion, string? password) => new()
    {
        BaseUrl = new Uri($"http://{publicIp}:{AwsNames.AirflowPort}/"),
        Username = password is null ? null : AwsNames.AirflowUser,
        Password = password,
        ApiVersion = airflowVersion.StartsWith("3.", StringComparison.Ordinal) ? AirflowApiVersion.V2 : AirflowApiVersion.V1,
    };

    /// <summary>Signed in as the admin, with the password phase 1 keeps in SSM Parameter Store.</summary>
    public static async Task<IAirflowClient> ConnectAsync(IAirflowConnector connector, IAwsCloud cloud, AwsNames names, string publicIp, string airflowVersion, CancellationToken ct)
    {
        var password = await cloud.GetSecretAsync(names.AirflowPasswordParameter, ct)
            ?? throw new AirflowException(AirflowProblem.Unauthorized, $"The Airflow password parameter {names.AirflowPasswordParameter} is missing: run phase 1 again.");
        return connector.Connect(Options(publicIp, airflowVersion, password));
    }
}
