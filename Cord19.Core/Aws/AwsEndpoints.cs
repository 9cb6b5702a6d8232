namespace Cord19.Core.Aws;

/// <summary>
/// Endpoint overrides as every AWS SDK reads them: AWS_ENDPOINT_URL_&lt;SERVICE&gt; first, then AWS_ENDPOINT_URL,
/// both ignored when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. Applied to the SDK clients and the hand-signed
/// one alike, so the whole AWS target can be pointed at an emulator or a private endpoint.
/// </summary>
public static class AwsEndpoints
{
    public const string Global = "AWS_ENDPOINT_URL";
    public const string Ignore = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

    /// <param name="serviceKey">EC2, S3, SSM, STS, IAM, REDSHIFT, REDSHIFT_DATA, CLOUDWATCH, GLUE, SERVICE_QUOTAS.</param>
    public static Uri? Override(string serviceKey, Func<string, string?> environment)
    {
        if (string.Equals(environment(Ignore)?.Trim(), "true", StringComparison.OrdinalIgnoreCase)) return null;
        var variable = $"{Global}_{serviceKey}";
        var value = environment(variable);
        if (string.IsNullOrWhiteSpace(value)) (variable, value) = (Global, environment(Global));
        if (string.IsNullOrWhiteSpace(value)) return null;
        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new AwsConfigurationException($"{variable}='{value}' is not an http(s) address: set it to an endpoint such as http://localhost:4566, or unset it to use AWS.");
    }
}

/// <summary>The AWS set-up on this machine is unusable (endpoint, region, credentials); the message says how to fix it.</summary>
public sealed class AwsConfigurationException(string message, Exception? inner = null) : Cord19Exception(message, inner)
{
    public override FailureKind Failure => FailureKind.Invalid;
    public override string Title => "AWS is not set up on this machine";
}
