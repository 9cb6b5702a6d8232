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

    /// <summary>
    /// AWS's error answers in each shape the services use: S3's bare &lt;Error&gt;, the Query services' ErrorResponse, JSON's
    /// __type (with Glue's namespace and URL around the name) or code or Code, message or Message, a code only in the
    /// x-amzn-ErrorType header; and what is not AWS's: an HTML page is named as such, an unreadable body gives the status.
    /// </summary>
    [Theory]
    [InlineData("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", null, "AccessDenied", "Access Denied")]
    [InlineData("<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>Role not found</Message></Error></ErrorResponse>", null, "NoSuchEntity", "Role not found")]
    [InlineData("""{"__type":"com.amazonaws.glue#EntityNotFoundException:http://internal.amazon.com/coral/","Message":"Table not found"}""", null, "EntityNotFoundException", "Table not found")]
    [InlineData("""{"code":"ValidationException","message":"Bad filter"}""", null, "ValidationException", "Bad filter")]
    [InlineData("""{"Code":"ValidationException"}""", null, "ValidationException", "")]
    [InlineData("{}", "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/", "AccessDeniedException", "")]
    [InlineData("<Error><Code>", null, "Http403", "<Error><Code>")] // kept only to tell it is not AWS's: the message names it as such
    public void Error_answers_are_read_in_every_shape_the_services_use(string body, string? errorTypeHeader, string code, string message)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden);
        if (errorTypeHeader is not null) response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", errorTypeHeader);

        var refusal = AwsErrorResponse.Parse("glue:GetTable", HttpStatusCode.Forbidden, response.Headers, body);

        Assert.Equal((code, message), (refusal.Code, refusal.AwsMessage));
    }

    [Fact]
    public void An_HTML_page_instead_of_an_error_is_named_as_such_and_never_pasted()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadGateway);

        var refusal = AwsErrorResponse.Parse("iam:GetRole", HttpStatusCode.BadGateway, response.Headers, "<html><body>502 Bad Gateway from the upstream box</body></html>");

        Assert.Equal("Http502", refusal.Code);
        Assert.DoesNotContain("upstream box", refusal.Message);
        Assert.DoesNotContain("<html>", refusal.Message);
    }
}
