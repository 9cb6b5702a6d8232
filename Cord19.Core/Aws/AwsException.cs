using System.Net;

namespace Cord19.Core.Aws;

/// <summary>
/// An AWS call failed for good (after the retries, when it was worth retrying). <see cref="Exception.Message"/>
/// names the IAM action, AWS's error code and message, and the fix, so pages and step logs can show it as it is.
/// </summary>
public sealed class AwsException : Cord19Exception
{
    public override FailureKind Failure => FailureKind.Upstream;
    public override string Title => $"AWS refused {Action}";

    // The message is made of Cause and Fix (Message, below), known only once the error is classified.
    public AwsException(string action, string code, string awsMessage, HttpStatusCode? status, Exception? inner = null)
        : base("", inner)
    {
        Action = action;
        Code = code;
        AwsMessage = Summarise(awsMessage);
        Status = status;
        (Cause, Fix) = Describe(action, code, AwsMessage, status);
    }

    /// <summary>The cause, then the fix when the code tells one: as step logs and the API show it.</summary>
    public override string Message => Fix is null ? Cause : $"{Cause} {Fix}";

    private const int MaxMessage = 400;

    /// <summary>
    /// An answer that is an HTML page (a proxy, a captive portal, an emulator's crash page, a wrong endpoint) is named
    /// as such, never pasted into a message that pages and logs show; AWS's own messages are kept, within a length.
    /// </summary>
    public static string Summarise(string message)
    {
        if (System.Text.RegularExpressions.Regex.IsMatch(message, "<(!doctype|html|head|body|title|h1)\\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            return "the answer was an HTML page, not an AWS answer (a proxy, a captive portal or a wrong AWS_ENDPOINT_URL… answered)";
        var oneLine = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return oneLine.Length <= MaxMessage ? oneLine : oneLine[..MaxMessage] + "…";
    }

    /// <summary>The IAM action that was called, e.g. "redshift:CreateCluster".</summary>
    public string Action { get; }

    /// <summary>AWS's error code, e.g. "AccessDenied", "DependencyViolation", "InvalidGroup.NotFound".</summary>
    public string Code { get; }

    public string AwsMessage { get; }

    /// <summary>What failed, with AWS's code and message: the first part of <see cref="Message"/>.</summary>
    public string Cause { get; }

    /// <summary>What to do about it, when the code tells (the rest of the message); shown apart where a page has a Fix column.</summary>
    public string? Fix { get; }

    public HttpStatusCode? Status { get; }

    public AwsErrorKind Kind => AwsErrors.Classify(Code, Status);

    private static (string Cause, string? Fix) Describe(string action, string code, string message, HttpStatusCode? status)
    {
        var said = string.IsNullOrWhiteSpace(message) ? "" : $": {message.TrimEnd('.')}";
        var http = status is { } s ? $", HTTP {(int)s}" : "";
        return AwsErrors.Classify(code, status) switch
        {
            AwsErrorKind.Denied when AwsErrors.ServiceLinkedRoleOf(action, code, message) is { } service =>
                ($"AWS denied {action} ({code}){said}.", AwsErrors.ServiceLinkedRoleAdvice(service)),
            AwsErrorKind.Denied when AwsErrors.IsLakeFormationRefusal(message) =>
                ($"Lake Formation refused {action} ({code}){said}.", AwsErrors.LakeFormationAdvice),
            AwsErrorKind.Denied when AwsErrors.IsCostExplorerNotEnabled(message) =>
                ($"Cost Explorer is not enabled for this account, so AWS refused {action} ({code}){said}.", AwsErrors.CostExplorerAdvice),
            AwsErrorKind.Denied =>
                ($"AWS denied {action} ({code}){said}.", $"Allow {action} for the identity the panel runs as (the AWS checklist shows which one), then try again."),
            AwsErrorKind.Credentials =>
                ($"AWS did not accept the credentials for {action} ({code}){said}.", AwsErrors.CredentialsAdvice(code)),
            AwsErrorKind.Capacity when AwsErrors.IsQuota(code) =>
                ($"A quota of your account refused {action} ({code}){said}.", AwsErrors.CapacityAdvice(code)),
            AwsErrorKind.Capacity when code == "SpotMaxPriceTooLow" =>
                ($"The spot price is above your max price for {action} ({code}){said}.", AwsErrors.CapacityAdvice(code)),
            AwsErrorKind.Capacity =>
                ($"AWS has no room for {action} ({code}){said}.", AwsErrors.CapacityAdvice(code)),
            AwsErrorKind.Transient when code is "Unavailable" or "Timeout" =>
                ($"Could not reach AWS for {action}{said}; it was retried with backoff.", "Check this machine's network, that the region exists and is enabled for your account, and AWS_ENDPOINT_URL… if you set one."),
            AwsErrorKind.Throttled or AwsErrorKind.Transient =>
                ($"AWS kept failing {action} ({code}{http}){said}. It was retried with backoff.", "Wait a minute and try again."),
            _ when AwsErrors.IsFreePlanRefusal(code, message) => ($"AWS refused {action} ({code}){said}.", AwsErrors.FreePlanAdvice),
            _ when AwsErrors.AccountNotReadyAdvice(code) is { } advice => ($"AWS refused {action} ({code}){said}.", advice),
            _ => ($"{action} failed ({code}{http}){said}.", null),
        };
    }
}

public enum AwsErrorKind
{
    Other,
    Throttled,
    Transient,
    Denied,
    Credentials,
    NotFound,
    AlreadyExists,
    DependencyViolation,
    Capacity,
}

/// <summary>What AWS's error codes mean to the caller: retry, report as denied, treat as gone or as present.</summary>
public static class AwsErrors
{
    /// <summary>
    /// The SDKs' throttling codes, and two that only their services' models call throttling: Cost Explorer's
    /// LimitExceededException ("You made too many calls in a short period of time. Try again later.": of the services
    /// the panel calls, only Cost Explorer answers that code; IAM's quota is "LimitExceeded") and Redshift's
    /// DependentServiceRequestThrottlingFault ("Wait and retry the request").
    /// </summary>
    private static readonly HashSet<string> Throttling = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "RequestLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
        "BandwidthLimitExceeded", "ProvisionedThroughputExceededException", "LimitExceededException",
        "DependentServiceRequestThrottlingFault",
    };

    /// <summary>
    /// Failures that pass: 5xx and timeouts, and the refusals whose models say to wait and ask again (Redshift's
    /// DependentServiceUnavailableFault, "Wait 30 to 60 seconds"; IAM's ConcurrentModification and SSM's TooManyUpdates,
    /// another change of the same thing under way; Glue's FederationSourceRetryableException; the Price List's
    /// InternalErrorException, "Try again later").
    /// </summary>
    private static readonly HashSet<string> Transient = new(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "InternalServerError",
        "InternalServerException", "ServiceUnavailable", "ServiceUnavailableException", "Unavailable", "Timeout",
        "OperationTimeoutException", "DependentServiceUnavailableFault", "ConcurrentModification", "TooManyUpdates",
        "FederationSourceRetryableException", "InternalErrorException",
    };

    private static readonly HashSet<string> Denied = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess", "NotAuthorized",
        "AuthorizationError",
    };

    private static readonly HashSet<string> Credentials = new(StringComparer.Ordinal)
    {
        "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException",
        "AuthFailure", "InvalidAccessKeyId", "MissingAuthenticationToken", "IncompleteSignature", "InvalidSignatureException",
        "NoCredentials",
    };

    /// <summary>The account's own limits, which it can raise or free.</summary>
    private static readonly HashSet<string> Quotas = new(StringComparer.Ordinal)
    {
        "MaxSpotInstanceCountExceeded", "VcpuLimitExceeded", "InstanceLimitExceeded", "ClusterQuotaExceeded", "NumberOfNodesQuotaExceeded",
        "LimitExceeded", "ServiceQuotaExceededException",
    };

    /// <summary>Shortages on AWS's side (no room for the type or node now), and the spot price above the max.</summary>
    private static readonly HashSet<string> Shortages = new(StringComparer.Ordinal)
    {
        "InsufficientInstanceCapacity", "SpotMaxPriceTooLow", "InsufficientClusterCapacity", "InsufficientAddressCapacity",
    };

    /// <summary>
    /// EC2's refusal of an account's first spot launch by a caller who may not create the spot service-linked role
    /// (AWSServiceRoleForEC2Spot), which EC2 makes on that launch. A permission, not the credentials its prefix suggests.
    /// </summary>
    public const string SpotRoleNotCreated = "AuthFailure.ServiceLinkedRoleCreationNotPermitted";

    /// <summary>
    /// The service whose service-linked role a refusal is about: EC2 makes the spot one on an account's first spot launch,
    /// Redshift its own on an account's first cluster, each as the caller. Null for any other refusal.
    /// </summary>
    public static string? ServiceLinkedRoleOf(string action, string code, string message) =>
        code != SpotRoleNotCreated && !message.Contains("service-linked role", StringComparison.OrdinalIgnoreCase) ? null
        : action.StartsWith("ec2:", StringComparison.Ordinal) ? "spot.amazonaws.com"
        : action.StartsWith("redshift:", StringComparison.Ordinal) ? "redshift.amazonaws.com"
        : null;

    /// <summary>
    /// EC2's refusal of a type on an account on AWS's Free plan (offered since July 2025), which launches only the types
    /// it calls free-tier-eligible: "The specified instance type is not eligible for Free Tier".
    /// </summary>
    public static bool IsFreePlanRefusal(string code, string message) =>
        code == "InvalidParameterCombination" && message.Contains("not eligible for Free Tier", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Refusals of an account AWS has not opened to the region yet, or has closed: EC2's common error codes
    /// (PendingVerification, OptInRequired, Blocked: "Error codes for the Amazon EC2 API"), S3's AccountProblem and STS's
    /// RegionDisabledException. No permission or setting of the panel's lifts them. Null for any other code.
    /// </summary>
    public static string? AccountNotReadyAdvice(string code) => code switch
    {
        "PendingVerification" =>
            "AWS is still verifying this account for this region, as it does on an account's first use of a region: usually " +
            "minutes, at most 4 hours, and AWS emails when it is done. Run the phase again then.",
        "OptInRequired" =>
            "AWS has not opened this service to the account here yet: a new account is activated once its payment details are " +
            "verified (AWS emails when it is), and a region that is off by default is enabled first (console: Account → AWS Regions). " +
            "Then run the phase again.",
        "RegionDisabledException" =>
            "This region is not enabled for the account, or its STS endpoint is turned off: enable the region (console: Account → AWS " +
            "Regions) or its endpoint (IAM → Account settings → Security Token Service), or pick another region in Settings.",
        "Blocked" or "AccountProblem" => "AWS has blocked this account or found a problem with it: contact AWS Support from the console's Support Center.",
        _ => null,
    };

    /// <summary>
    /// What renews credentials AWS did not accept. EC2's AuthFailure may also be the account rather than the keys: its error
    /// codes guide says to "ensure that your account is authorized to use Amazon EC2, that your credit card details are
    /// correct, and that you are using the correct credentials".
    /// </summary>
    public static string CredentialsAdvice(string code) =>
        "Refresh them (`aws sso login`, or new keys in the environment or profile): the panel uses the standard AWS credential chain and stores no keys." +
        (code == "AuthFailure"
            ? " If they are current (the AWS checklist's identity line is green), EC2 is refusing the account, not the keys: it says so too " +
              "when the account is not yet authorized to use EC2 or its payment details are wrong. Check the payment method in the Billing " +
              "console, or ask AWS Support."
            : "");

    public const string FreePlanAdvice =
        "This account is on AWS's Free plan, which launches only the types `aws ec2 describe-instance-types --filters Name=free-tier-eligible,Values=true` lists. " +
        "The pipeline needs 8 GiB: set the instance type (or a fallback) in Settings to one of those that has it, such as m7i-flex.large where the list names it, " +
        "or upgrade the account to the Paid plan in the Billing console (its credits are kept).";

    /// <summary>
    /// Glue's refusal where Lake Formation governs the account's catalogue: "Insufficient Lake Formation permission(s):
    /// Required Describe on covid-19". IAM already allows the call; only a grant in Lake Formation lifts it.
    /// </summary>
    public static bool IsLakeFormationRefusal(string message) => message.Contains("Lake Formation", StringComparison.OrdinalIgnoreCase);

    public const string LakeFormationAdvice =
        "Lake Formation governs this account's Glue catalogue, so IAM's grants are not enough: in the Lake Formation console " +
        "(Permissions → Data lake permissions → Grant), grant the identity the panel runs as (the AWS checklist shows which one) Describe " +
        "on the database and table named, then try again.";

    /// <summary>
    /// Cost Explorer's refusal on an account where nobody has opened it yet: "User not enabled for cost explorer access"
    /// (AccessDeniedException). No IAM grant lifts it: AWS enables Cost Explorer from its console only ("Enabling Cost
    /// Explorer", AWS Cost Management User Guide).
    /// </summary>
    public static bool IsCostExplorerNotEnabled(string message) => message.Contains("not enabled for cost explorer", StringComparison.OrdinalIgnoreCase);

    public const string CostExplorerAdvice =
        "Open Cost Explorer once in the Billing and Cost Management console: AWS enables it there, not through its API, and has the " +
        "current month's costs ready about 24 hours later. In an organization, the management account may deny a member account " +
        "Cost Explorer: if the console refuses, ask its administrator.";

    public static string ServiceLinkedRoleAdvice(string service) =>
        $"Allow iam:CreateServiceLinkedRole for {service} (this version's operator policy does), or have an administrator create the role once: " +
        $"`aws iam create-service-linked-role --aws-service-name {service}`. AWS makes it on the account's first use, as the caller; then run the phase again.";

    public static AwsErrorKind Classify(string code, HttpStatusCode? status)
    {
        if (code == SpotRoleNotCreated) return AwsErrorKind.Denied;
        if (Throttling.Contains(code) || status == HttpStatusCode.TooManyRequests) return AwsErrorKind.Throttled;
        // S3 answers a HEAD with no body, so the SDK names its refusal after the status alone.
        if (Denied.Contains(code) || (code == "Forbidden" && status == HttpStatusCode.Forbidden)) return AwsErrorKind.Denied;
        if (Credentials.Contains(code)) return AwsErrorKind.Credentials;
        if (Quotas.Contains(code) || Shortages.Contains(code)) return AwsErrorKind.Capacity;
        if (code is "DependencyViolation" or "DeleteConflict" or "InvalidClusterState")
            return AwsErrorKind.DependencyViolation;
        if (code.EndsWith("NotFound", StringComparison.Ordinal) || code.EndsWith("NotFoundException", StringComparison.Ordinal)
            || code.EndsWith("NotFoundFault", StringComparison.Ordinal) || code is "NoSuchEntity" or "NoSuchBucket" or "NoSuchKey" or "NoSuchResourceException"
            || code.StartsWith("InvalidInstanceID.", StringComparison.Ordinal))
            return AwsErrorKind.NotFound;
        if (code.Contains("AlreadyExists", StringComparison.Ordinal) || code.EndsWith(".Duplicate", StringComparison.Ordinal)
            || code == "BucketAlreadyOwnedByYou")
            return AwsErrorKind.AlreadyExists;
        if (Transient.Contains(code) || (int?)status >= 500) return AwsErrorKind.Transient;
        return AwsErrorKind.Other;
    }

    /// <summary>A capacity refusal that is the account's own limit, rather than a shortage on AWS's side or a price.</summary>
    public static bool IsQuota(string code) => Quotas.Contains(code);

    public static bool IsRetryable(AwsErrorKind kind) => kind is AwsErrorKind.Throttled or AwsErrorKind.Transient;

    /// <summary>Service Quotas' code for EC2's "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests", in vCPUs.</summary>
    public const string SpotVcpuQuotaCode = "L-34B43A08";

    /// <summary>What frees or raises the spot vCPU quota: phase 1's refusal and the checklist's quota line say the same.</summary>
    public const string SpotQuotaAdvice =
        "End spot instances you no longer need, ask for more 'All Standard Spot Instance Requests' vCPUs in Service Quotas " +
        $"(Amazon EC2, quota {SpotVcpuQuotaCode}), or pick a smaller instance type in Settings.";

    public static string CapacityAdvice(string code) => code switch
    {
        "SpotMaxPriceTooLow" => "Raise the spot max price in Settings, or pick another instance type.",
        "InsufficientInstanceCapacity" => "No spot capacity for this instance type here now: pick another instance type or region in Settings, or try later.",
        "MaxSpotInstanceCountExceeded" or "VcpuLimitExceeded" or "InstanceLimitExceeded" =>
            SpotQuotaAdvice,
        "ClusterQuotaExceeded" or "NumberOfNodesQuotaExceeded" => "Your Redshift node quota is used up: delete other clusters or ask for a higher quota.",
        // Shortages on AWS's side, not quotas: no quota to raise.
        "InsufficientClusterCapacity" =>
            "Redshift has no room for this node type here now: run phase 2 again later, pick another node type or region in Settings, " +
            "or choose the panel's metadata file as the AWS metadata source, which needs no cluster.",
        "InsufficientAddressCapacity" => "EC2 has no public IPv4 address to give here now: run the phase again later, or pick another region in Settings.",
        _ => "A service quota was reached: raise it in Service Quotas, or free what uses it.",
    };
}
