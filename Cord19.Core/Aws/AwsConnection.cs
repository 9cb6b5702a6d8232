using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using Amazon.SecurityToken;
using Amazon.SimpleSystemsManagement;
using Cord19.Core.Results;

namespace Cord19.Core.Aws;

/// <summary>
/// One account and region as this process reaches them: credentials from the AWS SDK's standard chain
/// (environment, profile, SSO, instance role; never stored by the app), endpoint overrides from the environment,
/// and every client configured the same way — the SDK's own (EC2, S3, SSM, STS) with standard retries (jittered)
/// and timeouts, and the hand-signed <see cref="AwsApiClient"/> for the rest.
/// </summary>
public sealed class AwsConnection
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private readonly Lazy<AWSCredentials> _credentials;

    /// <param name="http">For the hand-signed calls; the app's comes from IHttpClientFactory.</param>
    /// <param name="credentials">Null: the standard chain. Tests pass fixed ones.</param>
    public AwsConnection(string region, HttpClient http, Func<string, string?>? environment = null, AWSCredentials? credentials = null)
    {
        if (!Settings.AwsNaming.IsRegion(region))
            throw new AwsConfigurationException($"'{region}' is not an AWS region name: use one such as us-east-2 (Settings → AWS region).");
        Region = region!;
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
        // Resolved once per connection, for the SDK clients and the hand-signed one alike (the chain's credentials
        // refresh themselves); a failure is not cached, so signing in and trying again works.
        _credentials = credentials is not null ? new(credentials) : new(Chain, LazyThreadSafetyMode.PublicationOnly);
        Api = new AwsApiClient(http, this);
    }

    public string Region { get; }
    public Func<string, string?> Environment { get; }

    /// <summary>The hand-signed client for IAM, Redshift, Redshift Data, CloudWatch, Glue and Service Quotas.</summary>
    public AwsApiClient Api { get; }

    public AWSCredentials Credentials => _credentials.Value;

    public IAmazonEC2 Ec2() => new AmazonEC2Client(Credentials, Configure(new AmazonEC2Config(), "EC2"));
    public IAmazonSimpleSystemsManagement Ssm() => new AmazonSimpleSystemsManagementClient(Credentials, Configure(new AmazonSimpleSystemsManagementConfig(), "SSM"));
    public IAmazonSecurityTokenService Sts() => new AmazonSecurityTokenServiceClient(Credentials, Configure(new AmazonSecurityTokenServiceConfig(), "STS"));

    /// <summary>S3 with the settings an S3-compatible server needs when an endpoint override is set.</summary>
    public IAmazonS3 S3() => S3ObjectStore.CreateClient(AwsEndpoints.Override("S3", Environment)?.ToString(), Region, Credentials);

    private T Configure<T>(T config, string serviceKey) where T : ClientConfig
    {
        config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        config.RetryMode = RequestRetryMode.Standard;
        config.MaxErrorRetry = 4;
        config.Timeout = CallTimeout;
        if (AwsEndpoints.Override(serviceKey, Environment) is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = Region;
        }
        return config;
    }

    private static AWSCredentials Chain()
    {
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException ex)
        {
            throw NoCredentials(ex);
        }
    }

    private static AwsConfigurationException NoCredentials(Exception ex) => new(
        "No AWS credentials were found (environment, shared profile, SSO or instance role). Sign in with `aws sso login` or " +
        "`aws configure`, or set AWS_PROFILE, then reload the page. The panel never stores keys.", ex);
}
