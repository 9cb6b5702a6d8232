using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Cord19.Web.Security;

/// <summary>Authenticates scripts that send "Authorization: Bearer &lt;access token&gt;".</summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessToken token)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AccessToken";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());
        if (!token.Matches(header["Bearer ".Length..].Trim()))
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not this panel's access token."));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Operator(SchemeName), SchemeName)));
    }

    public static ClaimsPrincipal Operator(string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator")], scheme));
}
