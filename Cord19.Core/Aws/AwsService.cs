namespace Cord19.Core.Aws;

/// <summary>
/// An AWS service as its botocore model describes it: how to reach it, how to sign for it and how to speak to it.
/// Only the services the hand-signed <see cref="AwsApiClient"/> talks to are listed; EC2, S3, SSM and STS go
/// through their AWS SDK packages.
/// </summary>
/// <param name="IamPrefix">The prefix of the service's IAM actions, e.g. "redshift" in redshift:CreateCluster.</param>
/// <param name="EnvironmentKey">The suffix of AWS_ENDPOINT_URL_&lt;KEY&gt;: the service id, upper case, spaces as underscores.</param>
/// <param name="TargetPrefix">JSON protocol only: the X-Amz-Target prefix.</param>
/// <param name="GlobalHost">Services with one endpoint for every region (IAM, the Price List), signed for us-east-1.</param>
public sealed record AwsService(
    string IamPrefix,
    string EnvironmentKey,
    string EndpointPrefix,
    string SigningName,
    AwsProtocol Protocol,
    string ApiVersion,
    string? TargetPrefix = null,
    string? GlobalHost = null)
{
    public static readonly AwsService Iam = new("iam", "IAM", "iam", "iam", AwsProtocol.Query, "2010-05-08", GlobalHost: "iam.amazonaws.com");
    public static readonly AwsService Redshift = new("redshift", "REDSHIFT", "redshift", "redshift", AwsProtocol.Query, "2012-12-01");

    /// <summary>The model prefers CBOR, but still lists the Query protocol, which this client speaks.</summary>
    public static readonly AwsService CloudWatch = new("cloudwatch", "CLOUDWATCH", "monitoring", "monitoring", AwsProtocol.Query, "2010-08-01");

    public static readonly AwsService Glue = new("glue", "GLUE", "glue", "glue", AwsProtocol.Json, "2017-03-31", "AWSGlue");
    public static readonly AwsService RedshiftData = new("redshift-data", "REDSHIFT_DATA", "redshift-data", "redshift-data", AwsProtocol.Json, "2019-12-20", "RedshiftData");

    /// <summary>
    /// AWS's Price List, served from us-east-1 (and eu-central-1, ap-south-1: botocore's endpoints.json) whatever the
    /// region priced; the filters name the region.
    /// </summary>
    public static readonly AwsService Pricing = new("pricing", "PRICING", "api.pricing", "pricing", AwsProtocol.Json, "2017-10-15", "AWSPriceListService",
        GlobalHost: "api.pricing.us-east-1.amazonaws.com");

    /// <summary>Cost Explorer: one endpoint for the account's whole bill (botocore's aws-global), signed for us-east-1.</summary>
    public static readonly AwsService CostExplorer = new("ce", "COST_EXPLORER", "ce", "ce", AwsProtocol.Json, "2017-10-25", "AWSInsightsIndexService",
        GlobalHost: "ce.us-east-1.amazonaws.com");

    /// <summary>Not in the shared botocore models, so its calls (GetServiceQuota, GetAWSDefaultServiceQuota) are not contract-checked.</summary>
    public static readonly AwsService ServiceQuotas = new("servicequotas", "SERVICE_QUOTAS", "servicequotas", "servicequotas", AwsProtocol.Json, "2019-06-24", "ServiceQuotasV20190624");

    /// <summary>The region a request is signed for: IAM's and the Price List's one endpoint sign for us-east-1.</summary>
    public string SigningRegion(string region) => GlobalHost is null ? region : "us-east-1";

    /// <summary>The endpoint for <paramref name="region"/>, or the override from the environment.</summary>
    public Uri Endpoint(string region, Func<string, string?> environment) =>
        AwsEndpoints.Override(EnvironmentKey, environment)
        ?? new Uri($"https://{GlobalHost ?? $"{EndpointPrefix}.{region}.amazonaws.com"}/");
}

public enum AwsProtocol
{
    /// <summary>Form-encoded POST with Action and Version, XML answers (awsQuery).</summary>
    Query,

    /// <summary>JSON POST with X-Amz-Target, JSON answers (awsJson1_1).</summary>
    Json,
}
