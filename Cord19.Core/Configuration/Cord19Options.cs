using Cord19.Core.Airflow;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Microsoft.Extensions.Configuration;

namespace Cord19.Core.Configuration;

/// <summary>
/// Everything the panel reads from its environment, in one place: bound from configuration (environment variables
/// keep their CORD19_* names; the command line and appsettings work too), checked once at start by
/// <see cref="Validate"/>, and turned into the typed options each feature uses. Nothing else reads CORD19_* variables.
/// </summary>
public sealed class Cord19Options
{
    /// <summary>Where state and results live; ~/.local/share/cord19 when unset.</summary>
    [ConfigurationKeyName(Settings.DataDirectory.EnvironmentVariable)] public string? DataDirectory { get; set; }

    /// <summary>Folders (':'-separated) whose files Settings may name as input; unset: any readable file.</summary>
    [ConfigurationKeyName(Settings.DataRoots.EnvironmentVariable)] public string? DataRoots { get; set; }

    /// <summary>A PostgreSQL connection string for the state and the job queue (several instances); SQLite otherwise.</summary>
    [ConfigurationKeyName(StateDatabase.EnvironmentVariable)] public string? Postgres { get; set; }

    /// <summary>"local" or "aws" fixes the target whatever Settings say.</summary>
    [ConfigurationKeyName(SettingsStore.TargetVariable)] public string? Target { get; set; }

    /// <summary>This instance's name in the runs it owns; the machine name when unset.</summary>
    [ConfigurationKeyName(RunnerIdentity.EnvironmentVariable)] public string? Instance { get; set; }

    /// <summary>Test only: a pause (ms) at the start of every step, to kill the app inside a phase.</summary>
    [ConfigurationKeyName(PhaseRunnerOptions.EnvironmentVariable)] public string? TestStepDelayMs { get; set; }

    /// <summary>Test only: how long (ms) an instance may go unheard before the others end its phases, instead of 90 s.</summary>
    [ConfigurationKeyName(InstanceLivenessOptions.EnvironmentVariable)] public string? TestInstanceSilentAfterMs { get; set; }

    [ConfigurationKeyName("CORD19_S3_BUCKET")] public string? S3Bucket { get; set; }
    [ConfigurationKeyName("CORD19_S3_PREFIX")] public string? S3Prefix { get; set; }
    [ConfigurationKeyName("CORD19_S3_REGION")] public string? S3Region { get; set; }
    [ConfigurationKeyName("CORD19_S3_ENDPOINT")] public string? S3Endpoint { get; set; }
    [ConfigurationKeyName("CORD19_S3_ACCESS_KEY_ID")] public string? S3AccessKeyId { get; set; }
    [ConfigurationKeyName("CORD19_S3_SECRET_ACCESS_KEY")] public string? S3SecretAccessKey { get; set; }

    [ConfigurationKeyName(AirflowOptions.UrlVariable)] public string? AirflowUrl { get; set; }
    [ConfigurationKeyName(AirflowOptions.UserVariable)] public string? AirflowUser { get; set; }
    [ConfigurationKeyName(AirflowOptions.PasswordVariable)] public string? AirflowPassword { get; set; }
    [ConfigurationKeyName(AirflowOptions.TokenVariable)] public string? AirflowToken { get; set; }
    [ConfigurationKeyName(AirflowOptions.ApiVersionVariable)] public string? AirflowApi { get; set; }

    [ConfigurationKeyName(AwsTargetOptions.BundleVariable)] public string? PipelineBundle { get; set; }
    [ConfigurationKeyName(AwsTargetOptions.AirflowUrlVariable)] public string? AwsAirflowUrl { get; set; }
    [ConfigurationKeyName(AwsTargetOptions.ImageVariable)] public string? AwsImageId { get; set; }
    [ConfigurationKeyName(AwsTargetOptions.PackageIndexVariable)] public string? PackageIndex { get; set; }

    /// <summary>The secret for people and scripts; generated at each start when unset.</summary>
    [ConfigurationKeyName(AccessTokenVariable)] public string? AccessToken { get; set; }

    /// <summary>"off" turns sign-in off (refused unless the panel listens on loopback only).</summary>
    [ConfigurationKeyName(SignInVariable)] public string? SignIn { get; set; }

    [ConfigurationKeyName(OpenIdAuthorityVariable)] public string? OpenIdAuthority { get; set; }
    [ConfigurationKeyName(OpenIdClientIdVariable)] public string? OpenIdClientId { get; set; }
    [ConfigurationKeyName("CORD19_OIDC_CLIENT_SECRET")] public string? OpenIdClientSecret { get; set; }

    /// <summary>
    /// Proxies on other machines (a cloud load balancer) whose X-Forwarded-Proto and -For the panel believes: addresses
    /// or networks, comma-separated. A proxy on this machine (loopback) is always believed.
    /// </summary>
    [ConfigurationKeyName(TrustedProxiesVariable)] public string? TrustedProxies { get; set; }

    /// <summary>"json": one JSON object per log line, for containers and log shippers.</summary>
    [ConfigurationKeyName(LogFormatVariable)] public string? LogFormat { get; set; }

    public const string AccessTokenVariable = "CORD19_ACCESS_TOKEN";
    public const string SignInVariable = "CORD19_SIGN_IN";
    public const string OpenIdAuthorityVariable = "CORD19_OIDC_AUTHORITY";
    public const string OpenIdClientIdVariable = "CORD19_OIDC_CLIENT_ID";
    public const string LogFormatVariable = "CORD19_LOG_FORMAT";
    public const string TrustedProxiesVariable = "CORD19_TRUSTED_PROXIES";

    public DataDirectory Data => Settings.DataDirectory.From(DataDirectory);
    public StateDatabase StateDatabase => new(Blank(Postgres), Data);
    public RunnerIdentity Runner => new(Instance);
    public IReadOnlyList<string> DataRootFolders => Settings.DataRoots.Parse(DataRoots);
    public bool SignInOff => string.Equals(SignIn?.Trim(), "off", StringComparison.OrdinalIgnoreCase);
    public bool LogsAsJson => string.Equals(LogFormat?.Trim(), "json", StringComparison.OrdinalIgnoreCase);

    public DeploymentTarget? FixedTarget => Blank(Target) is not { } name ? null
        : DeploymentTargets.TryParse(name, out var target) ? target
        : throw new ArgumentException($"{SettingsStore.TargetVariable}='{name}' is not a target: use local or aws, or unset it to choose in Settings.");

    public PhaseRunnerOptions PhaseRunner => Blank(TestStepDelayMs) is not { } ms ? new(TimeSpan.Zero)
        : int.TryParse(ms, out var delay) && delay >= 0 ? new(TimeSpan.FromMilliseconds(delay))
        : throw new ArgumentException($"{PhaseRunnerOptions.EnvironmentVariable}='{ms}' is not a number of milliseconds: unset it (it is for tests).");

    public InstanceLivenessOptions InstanceLiveness => Blank(TestInstanceSilentAfterMs) is not { } ms ? InstanceLivenessOptions.Default
        : int.TryParse(ms, out var silent) && silent >= 600 ? new(TimeSpan.FromMilliseconds(silent))
        : throw new ArgumentException($"{InstanceLivenessOptions.EnvironmentVariable}='{ms}' is not a number of milliseconds from 600: unset it (it is for tests).");

    public S3Location? ResultsBucket => Blank(S3Bucket) is not { } bucket ? null : new S3Location(
        bucket, Blank(S3Prefix) ?? "", Blank(S3Region) ?? "us-east-2", Blank(S3Endpoint),
        Blank(S3AccessKeyId) is { } id && Blank(S3SecretAccessKey) is { } secret ? new Amazon.Runtime.BasicAWSCredentials(id, secret) : null);

    public IReadOnlyList<System.Net.IPNetwork> TrustedProxyNetworks => Blank(TrustedProxies) is not { } list ? []
        : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ProxyNetwork)];

    private static System.Net.IPNetwork ProxyNetwork(string text) =>
        System.Net.IPNetwork.TryParse(text, out var network) ? network
        : System.Net.IPAddress.TryParse(text, out var address) ? new System.Net.IPNetwork(address, address.GetAddressBytes().Length * 8)
        : throw new ArgumentException($"{TrustedProxiesVariable} names '{text}', which is not an address or a network: give the proxies' " +
                                      "addresses or networks, comma-separated (e.g. 10.0.0.0/16, 192.0.2.10), or unset it.");

    /// <summary>Null when no Airflow is configured (the local target needs none).</summary>
    public AirflowOptions? Airflow => AirflowOptions.From(AirflowUrl, AirflowUser, AirflowPassword, AirflowToken, AirflowApi);

    public AwsTargetOptions AwsTarget => AwsTargetOptions.From(PipelineBundle, AwsAirflowUrl, AwsImageId, PackageIndex);

    /// <summary>Each problem names the variable and the fix; empty when the panel can start.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Check(problems, () => FixedTarget);
        Check(problems, () => PhaseRunner);
        Check(problems, () => InstanceLiveness);
        Check(problems, () => Airflow);
        Check(problems, () => AwsTarget);
        Check(problems, () => TrustedProxyNetworks);
        if (StateDatabase.WhyNotAConnectionString() is { } notAConnectionString)
            problems.Add(notAConnectionString);
        if (Blank(AccessToken) is { Length: < 16 })
            problems.Add($"{AccessTokenVariable} is shorter than 16 characters: choose a longer secret, or unset it and use the generated one.");
        if (Blank(SignIn) is { } signIn && !SignInOff && !string.Equals(signIn, "on", StringComparison.OrdinalIgnoreCase))
            problems.Add($"{SignInVariable}='{signIn}' is not known: use off (loopback only) or on, or unset it.");
        if (Blank(OpenIdAuthority) is null != Blank(OpenIdClientId) is null)
            problems.Add($"OpenID Connect needs both {OpenIdAuthorityVariable} and {OpenIdClientIdVariable}; set both, or neither.");
        if (Blank(OpenIdAuthority) is { } authority && OpenIdAuthorityProblem(authority) is { } notSafe)
            problems.Add(notSafe);
        if (Blank(S3Region) is { } region && !AwsNaming.IsRegion(region))
            problems.Add($"CORD19_S3_REGION='{region}' is not an AWS region name: use one such as us-east-2, or unset it.");
        if (Blank(S3Endpoint) is { } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            problems.Add($"CORD19_S3_ENDPOINT='{endpoint}' is not an address: use one such as http://127.0.0.1:9000, or unset it for AWS S3.");
        return problems;
    }

    /// <summary>
    /// The provider's answers say who signed in, and its keys sign them: over plain http anyone on the way could read or
    /// replace them. http is accepted on loopback only (a provider on this machine, as in tests).
    /// </summary>
    private static string? OpenIdAuthorityProblem(string authority) =>
        !Uri.TryCreate(authority, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            ? $"{OpenIdAuthorityVariable}='{authority}' is not an address: use the provider's issuer, e.g. https://login.example.org/realms/research."
            : uri.Scheme == "http" && !uri.IsLoopback
                ? $"{OpenIdAuthorityVariable}='{authority}' is not https: the provider's answers say who signed in, and over http anyone on the way could read or replace them. Use its https address."
                : null;

    private static void Check<T>(List<string> problems, Func<T> read)
    {
        try
        {
            read();
        }
        catch (ArgumentException ex)
        {
            problems.Add(ex.Message);
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
