namespace Cord19.Core.Airflow;

public enum AirflowApiVersion
{
    /// <summary>Airflow 2.x stable REST API under /api/v1, HTTP basic authentication.</summary>
    V1 = 1,
    /// <summary>Airflow 3.x public REST API under /api/v2, a JWT from POST /auth/token.</summary>
    V2 = 2,
}

/// <summary>
/// Where the pipeline's Airflow is and how the server signs in to it. Credentials stay on the server: the
/// browser only ever talks to the control panel's own endpoints.
/// </summary>
public sealed record AirflowOptions
{
    public const string UrlVariable = "CORD19_AIRFLOW_URL";
    public const string UserVariable = "CORD19_AIRFLOW_USER";
    public const string PasswordVariable = "CORD19_AIRFLOW_PASSWORD";
    public const string TokenVariable = "CORD19_AIRFLOW_TOKEN";
    public const string ApiVersionVariable = "CORD19_AIRFLOW_API";

    /// <summary>Airflow's base address, without /api/v1 or /api/v2.</summary>
    public required Uri BaseUrl { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
    /// <summary>A bearer token obtained elsewhere (Airflow 3 behind a proxy or an identity provider); used instead of the password.</summary>
    public string? AccessToken { get; init; }
    /// <summary>Null: asked from the server (GET /api/v2/version, then /api/v1/version).</summary>
    public AirflowApiVersion? ApiVersion { get; init; }
    /// <summary>
    /// The SHA-256 (hex) of the only server certificate to accept, for an Airflow with a self-signed certificate
    /// (the AWS deployment's): pinned instead of trusting a chain, so no password goes to anyone else.
    /// </summary>
    public string? CertificateSha256 { get; init; }
    /// <summary>Per call; a slow Airflow gives a clear "did not answer within" rather than a hung page.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The fix when Airflow cannot be reached, or something else answers at its address. The default is for the Airflow
    /// this machine is configured with; the AWS deployment's is on an instance, which environment variables do not start.
    /// </summary>
    public string AddressFix { get; init; } =
        $"Start Airflow (docker compose up airflow-api-server) or fix {UrlVariable} (Airflow's base address, e.g. http://localhost:8080).";

    /// <summary>The fix when Airflow refuses the credentials; as for <see cref="AddressFix"/>, the default is the configured Airflow's.</summary>
    public string CredentialsFix { get; init; } =
        $"Set {UserVariable} and {PasswordVariable} (or {TokenVariable}) to an Airflow user; Airflow 2 also needs AIRFLOW__API__AUTH_BACKENDS to include basic_auth.";

    /// <summary>Null when CORD19_AIRFLOW_URL is not set (no Airflow: the local target needs none).</summary>
    public static AirflowOptions? From(string? url, string? user, string? password, string? token, string? apiVersion)
    {
        url = url?.Trim();
        if (string.IsNullOrEmpty(url)) return null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            throw new ArgumentException($"{UrlVariable}='{url}' is not an http(s) address. Set it to Airflow's base address, e.g. http://localhost:8080.");
        if (baseUrl.AbsolutePath.TrimEnd('/').EndsWith("/api/v1", StringComparison.OrdinalIgnoreCase)
            || baseUrl.AbsolutePath.TrimEnd('/').EndsWith("/api/v2", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{UrlVariable}='{url}' ends with the API path. Give Airflow's base address (without /api/v1 or /api/v2); the version is detected.");
        AirflowApiVersion? version = apiVersion?.Trim().ToLowerInvariant() switch
        {
            null or "" or "auto" => null,
            "v1" or "1" or "2" => AirflowApiVersion.V1,
            "v2" or "3" => AirflowApiVersion.V2,
            var other => throw new ArgumentException($"{ApiVersionVariable}='{other}' is not known. Use v1 (Airflow 2), v2 (Airflow 3) or auto."),
        };
        return new AirflowOptions
        {
            BaseUrl = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/"),
            Username = Blank(user),
            Password = Blank(password),
            AccessToken = Blank(token),
            ApiVersion = version,
        };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Never prints the password or token (records print every property by default).</summary>
    public override string ToString() => $"Airflow at {BaseUrl} as {Username ?? "(no user)"}, API {ApiVersion?.ToString() ?? "auto"}";
}
