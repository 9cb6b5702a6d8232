using System.Net;
using Cord19.Core.Aws;

namespace Cord19.Tests.Aws;

/// <summary>
/// Refusals of the account itself, which no permission or setting of the panel lifts, say what does; phase 1's own
/// (EC2's PendingVerification, OptInRequired, Blocked) are tested where it launches.
/// </summary>
public sealed class AwsErrorsTests
{
    [Theory]
    [InlineData("s3:CreateBucket", "AccountProblem", HttpStatusCode.Forbidden, "There is a problem with your AWS account that prevents the operation from completing successfully.", "contact AWS Support")]
    [InlineData("sts:GetCallerIdentity", "RegionDisabledException", HttpStatusCode.Forbidden, "STS is not activated in this region for account:123456789012.", "IAM → Account settings → Security Token Service")]
    public void An_account_AWS_has_not_opened_or_has_closed_is_told_whom_to_ask(string action, string code, HttpStatusCode status, string message, string fix)
    {
        var refusal = new AwsException(action, code, message, status);

        Assert.Equal($"AWS refused {action} ({code}): {message.TrimEnd('.')}.", refusal.Cause);
        Assert.Contains(fix, refusal.Fix);
    }

    [Fact]
    public void Credentials_other_than_EC2s_AuthFailure_are_only_told_to_refresh_them()
    {
        var expired = new AwsException("sts:GetCallerIdentity", "ExpiredToken", "The security token included in the request is expired", HttpStatusCode.Forbidden);

        Assert.StartsWith("Refresh them", expired.Fix);
        Assert.DoesNotContain("payment", expired.Fix);
    }
}
