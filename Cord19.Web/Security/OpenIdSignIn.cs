using Cord19.Core.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Cord19.Web.Security;

/// <summary>
/// Optional sign-in through an organisation's OpenID Connect provider (authorization code flow), beside the
/// access token: set CORD19_OIDC_AUTHORITY, CORD19_OIDC_CLIENT_ID and CORD19_OIDC_CLIENT_SECRET. The client
/// secret stays server-side; a successful sign-in ends in the same cookie as the token's.
/// </summary>
public sealed record OpenIdSignIn(string Authority, string ClientId, string? ClientSecret)
{
    public const string Scheme = "oidc";
    public const string Path = "/signin/oidc";
    public const string CallbackPath = "/signin/oidc-callback";

    /// <summary>
    /// Where the provider's round trip ends, before the page asked for. The sign-in cookie is SameSite=Strict, and the way
    /// back is a navigation the provider's page began (it posts the code): a browser sends no Strict cookie on the redirect
    /// that follows, so the page asked for saw nobody signed in and sent the person back to the sign-in page, however
    /// often they tried. This page's own move to it is a navigation the panel began, which carries the cookie.
    /// </summary>
    public const string ContinuePath = "/signin/oidc-continue";

    /// <summary>Null unless both the authority and the client id are set (<see cref="Cord19Options.Validate"/> refuses one alone).</summary>
    public static OpenIdSignIn? From(Cord19Options options) =>
        string.IsNullOrWhiteSpace(options.OpenIdAuthority) || string.IsNullOrWhiteSpace(options.OpenIdClientId)
            ? null
            : new OpenIdSignIn(options.OpenIdAuthority.Trim(), options.OpenIdClientId.Trim(), options.OpenIdClientSecret);

    public void AddTo(AuthenticationBuilder authentication) =>
        authentication.AddOpenIdConnect(Scheme, "Organisation sign-in", o =>
        {
            o.Authority = Authority;
            o.ClientId = ClientId;
            o.ClientSecret = ClientSecret;
            o.ResponseType = "code";
            o.UsePkce = true;
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.CallbackPath = CallbackPath;
            o.SaveTokens = false; // the panel needs who signed in, not the provider's tokens
            o.RequireHttpsMetadata = Authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        });

    public static IEndpointRouteBuilder MapOpenIdSignIn(IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (string? returnUrl) => Results.Challenge(
                new AuthenticationProperties { RedirectUri = $"{ContinuePath}?returnUrl={Uri.EscapeDataString(SignInEndpoints.LocalOnly(returnUrl))}" },
                [Scheme]))
            .AllowAnonymous();
        app.MapGet(ContinuePath, (string? returnUrl) =>
            {
                var next = System.Net.WebUtility.HtmlEncode(SignInEndpoints.LocalOnly(returnUrl));
                return Results.Content($"""
                    <!DOCTYPE html>
                    <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={next}">
                    <title>Signed in · CORD-19 control panel</title></head>
                    <body><p>Signed in. <a href="{next}">Continue to the panel</a>.</p></body></html>
                    """, "text/html; charset=utf-8");
            })
            .AllowAnonymous();
        return app;
    }
}
