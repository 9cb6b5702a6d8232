using System.Net;
using System.Text;
using Cord19.Core.Execution;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;

namespace Cord19.Tests.Aws;

/// <summary>
/// This machine's public address as AWS's checkip service gives it (one IPv4 address and a newline), which Airflow's and
/// Redshift's rules admit. No checkip is reachable here: its answers are scripted.
/// </summary>
public sealed class OperatorAddressLookUpTests
{
    [Fact]
    public async Task The_address_checkip_gives_is_admitted_alone()
    {
        var address = new OperatorAddress(new HandlerClientFactory(new Answer(HttpStatusCode.OK, "203.0.113.7\n", "text/plain")));
        Assert.Equal("203.0.113.7/32", await address.LookUpAsync(default));
    }

    /// <summary>
    /// A network's filtering proxy answers with its own page, a captive portal with its sign-in: the phase names the fix
    /// and never quotes what a third party answered.
    /// </summary>
    [Theory]
    [InlineData(HttpStatusCode.OK, "<html><body>Blocked by Example Corp's web filter. Ticket 4711.</body></html>", "text/html", "did not answer an IPv4 address")]
    [InlineData(HttpStatusCode.OK, "2001:db8::7\n", "text/plain", "did not answer an IPv4 address")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "<html>Ticket 4711</html>", "text/html", "503")]
    public async Task An_answer_that_is_not_an_address_fails_the_phase_with_the_fix(HttpStatusCode status, string body, string type, string cause)
    {
        var address = new OperatorAddress(new HandlerClientFactory(new Answer(status, body, type)));

        var failed = await Assert.ThrowsAsync<PhaseFailedException>(() => address.LookUpAsync(default));

        Assert.Contains(cause, failed.Message);
        Assert.Contains("Settings → AWS → operator address", failed.Message);
        Assert.DoesNotContain("Ticket 4711", failed.Message);
        Assert.DoesNotContain("2001:db8", failed.Message);
    }

    private sealed class Answer(HttpStatusCode status, string body, string type) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal("https://checkip.amazonaws.com/", request.RequestUri!.ToString());
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, type) });
        }
    }
}
