using Cord19.Core.Settings;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;

namespace Cord19.Web.Security;

public static class SecurityServiceCollectionExtensions
{
    private const string SelectorScheme = "CookieOrBearer";

    /// <summary>
    /// Every page, API endpoint and the job dashboard need the access token (cookie or bearer); only health
    /// probes, the sign-in page and static files are open.
    /// </summary>
    public static IServiceCollection AddCord19SignIn(this IServiceCollection services, AccessToken token, DataDirectory data, OpenIdSignIn? openId = null)
    {
        services.AddSingleton(token);
        services.AddSingleton<CredentialGuessThrottle>();
        // Cookies stay valid across restarts (for the same token): the keys that sign them live with the rest of the
        // app's state, in a folder only the panel's user may read.
        services.AddDataProtection().PersistKeysToFileSystem(PrivateFolder(data.Keys)).SetApplicationName("cord19");
        // One scheme decides per request: a bearer header means a script, anything else a browser with a cookie.
        // (With both schemes challenged, the bearer's 401 would replace the cookie's redirect to the sign-in page.)
        var authentication = services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? BearerTokenHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = SignInEndpoints.Path;
                o.Cookie.Name = SameOriginWrites.CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                // A cookie is good only for the token it was issued for: a changed token ends every session at once.
                o.Events.OnValidatePrincipal = ctx =>
                {
                    var signedInWithToken = ctx.Principal?.Identity?.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme;
                    if (signedInWithToken && ctx.Principal!.FindFirst(SignInEndpoints.TokenClaim)?.Value != token.Fingerprint)
                        ctx.RejectPrincipal();
                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToLogin = ctx =>
                {
                    // Scripts get a status code, people get the sign-in page.
                    if (ctx.Request.Path.StartsWithSegments("/api")) ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    else ctx.Response.Redirect(ctx.RedirectUri);
                    return Task.CompletedTask;
                };
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        openId?.AddTo(authentication);
        if (openId is not null) services.AddSingleton(openId);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddCascadingAuthenticationState();
        return services;
    }

    /// <summary>Created (or narrowed) to rwx for the panel's user only: the keys can forge sign-in cookies.</summary>
    private static DirectoryInfo PrivateFolder(string path)
    {
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (OperatingSystem.IsWindows()) return Directory.CreateDirectory(path);
        var folder = Directory.CreateDirectory(path, ownerOnly);
        if (folder.UnixFileMode != ownerOnly) File.SetUnixFileMode(path, ownerOnly);
        return folder;
    }
}

/// <summary>The Hangfire dashboard admits whoever the app signed in, instead of Hangfire's "local requests only".</summary>
public sealed class SignedInDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().User.Identity?.IsAuthenticated == true;
}
