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

    /// <summary>Where the provider's round trip ends, before the page asked for (<see cref="SignInEndpoints.MoveOn"/>: its way back is a navigation the provider's page began).</summary>
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
            // Cancelled or refused at the provider, or a return without its state (bookmarked, replayed): the sign-in page
            // says so. Unhandled, it was the panel's own failure in the log, and the person, sent from the error page to
            // the sign-in page, was told nothing. The provider's words stay in the log.
            o.Events.OnRemoteFailure = context =>
            {
                context.HttpContext.RequestServices.GetRequiredService<ILogger<OpenIdSignIn>>()
                    .LogInformation("An organisation sign-in did not finish: {Reason}", context.Failure?.Message);
                context.Response.Redirect($"{SignInEndpoints.Path}?error={SignInEndpoints.OrganisationDidNotFinish}");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });

    public static IEndpointRouteBuilder MapOpenIdSignIn(IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (string? returnUrl) => Results.Challenge(
                new AuthenticationProperties { RedirectUri = $"{ContinuePath}?returnUrl={Uri.EscapeDataString(SignInEndpoints.LocalOnly(returnUrl))}" },
                [Scheme]))
            .AllowAnonymous();
        app.MapGet(ContinuePath, (string? returnUrl) => SignInEndpoints.MoveOn(returnUrl)).AllowAnonymous();
        return app;
    }
}
