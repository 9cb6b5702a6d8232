using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Cord19.Web.Security;

/// <summary>The sign-in page (paste the token) and the token-in-the-address exchange printed at start-up.</summary>
public static class SignInEndpoints
{
    public const string Path = "/signin";
    public const string SignOutPath = "/signout";

    /// <summary>The sign-in page's error for an organisation sign-in that did not finish (any other error: a wrong token).</summary>
    public const string OrganisationDidNotFinish = "organisation";

    /// <summary>The claim that ties a cookie to the access token it was issued for: a changed token ends every session.</summary>
    public const string TokenClaim = "cord19:token";

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        var openId = app.ServiceProvider.GetService<OpenIdSignIn>();
        app.MapGet(Path, (HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error) =>
            Results.Content(Page(antiforgery.GetAndStoreTokens(http), LocalOnly(returnUrl), error, openId is not null), "text/html; charset=utf-8"))
            .AllowAnonymous();
        if (openId is not null) OpenIdSignIn.MapOpenIdSignIn(app);

        app.MapPost(Path, async (HttpContext http, AccessToken token, IAntiforgery antiforgery, CredentialGuessThrottle throttle) =>
        {
            IFormCollection form;
            try
            {
                if (!http.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(http))
                    return Results.Problem("The sign-in form has expired or did not come from this panel: reload the sign-in page and try again.",
                        statusCode: StatusCodes.Status400BadRequest, title: "Sign-in form not accepted");
                form = await http.Request.ReadFormAsync();
            }
            catch (Exception ex) when (ex is AntiforgeryValidationException or InvalidDataException or BadHttpRequestException or IOException)
            {
                // Broken multipart, no boundary, thousands of fields: not the panel's form.
                return Results.Problem("The sign-in form could not be read (it is not the form the sign-in page sends): reload the sign-in page and try again.",
                    statusCode: StatusCodes.Status400BadRequest, title: "Sign-in form not accepted");
            }
            var returnUrl = LocalOnly(form["returnUrl"]);
            if (!token.Matches(form["token"].ToString().Trim()))
            {
                if (throttle.WrongTry(http) is { } wait)
                {
                    await CredentialGuessThrottle.RefuseAsync(http, wait);
                    return Results.Empty;
                }
                return Results.Redirect($"{Path}?error=1&returnUrl={WebUtility.UrlEncode(returnUrl)}");
            }
            await SignInAsync(http, token);
            return Results.Redirect(returnUrl);
        }).AllowAnonymous().DisableAntiforgery(); // validated explicitly above, before the form is trusted

        // Ends this browser's session (the same-origin check stands in for a form token: only the panel's pages can post here).
        app.MapPost(SignOutPath, async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect(Path);
        }).AllowAnonymous().DisableAntiforgery();

        return app;
    }

    /// <summary>
    /// "/?token=…" (the address printed at start-up) signs the browser in and drops the token from the address,
    /// so it does not linger in history or get copied along with a link.
    /// </summary>
    public static IApplicationBuilder UseTokenInAddress(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var token = http.RequestServices.GetRequiredService<AccessToken>();
        // A wrong token, in the address or as a bearer header, counts as a guess.
        var guess = http.Request.Query.TryGetValue("token", out var inAddress) ? inAddress.ToString()
            : http.Request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim()
            : null;
        if (guess is not null && !token.Matches(guess) && http.RequestServices.GetRequiredService<CredentialGuessThrottle>().WrongTry(http) is { } wait)
        {
            await CredentialGuessThrottle.RefuseAsync(http, wait);
            return;
        }
        if (http.Request.Query.TryGetValue("token", out var candidate) && HttpMethods.IsGet(http.Request.Method))
        {
            if (token.Matches(candidate.ToString()))
            {
                await SignInAsync(http, token);
                var rest = http.Request.Query.Where(q => q.Key != "token").Select(q => $"{WebUtility.UrlEncode(q.Key)}={WebUtility.UrlEncode(q.Value)}");
                var query = string.Join("&", rest);
                // "//evil.example/?token=…" must not become a protocol-relative redirect off the site.
                var asked = LocalOnly((http.Request.PathBase + http.Request.Path).ToUriComponent()) + (query.Length > 0 ? "?" + query : "");
                // A link followed from another site (a chat, a web mail): a redirect would carry no Strict cookie (MoveOn).
                if (http.Request.Headers["Sec-Fetch-Site"] == "cross-site") await MoveOn(asked).ExecuteAsync(http);
                else http.Response.Redirect(asked);
                return;
            }
        }
        await next();
    });

    /// <summary>
    /// A one-line page that moves on to <paramref name="returnUrl"/> (on this site only) just after a sign-in that a
    /// navigation from another site began: the organisation's provider posting back, a link to the printed address followed
    /// from a chat. The sign-in cookie is SameSite=Strict, and a browser sends none on a redirect in such a navigation, so
    /// the page asked for saw nobody signed in and sent the person to the sign-in page, however often they tried. This
    /// page's own move on is a navigation the panel began, which carries the cookie.
    /// </summary>
    public static IResult MoveOn(string? returnUrl)
    {
        var next = WebUtility.HtmlEncode(LocalOnly(returnUrl));
        return Results.Content($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={next}">
            <title>Signed in · CORD-19 control panel</title></head>
            <body><p>Signed in. <a href="{next}">Continue to the panel</a>.</p></body></html>
            """, "text/html; charset=utf-8");
    }

    private static Task SignInAsync(HttpContext http, AccessToken token)
    {
        var user = BearerTokenHandler.Operator(CookieAuthenticationDefaults.AuthenticationScheme);
        ((System.Security.Claims.ClaimsIdentity)user.Identity!).AddClaim(new System.Security.Claims.Claim(TokenClaim, token.Fingerprint));
        return http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, user,
            new AuthenticationProperties { IsPersistent = true, ExpiresUtc = DateTimeOffset.UtcNow.AddDays(14) });
    }

    /// <summary>
    /// Only paths on this site, else "/": a sign-in link must not send the user elsewhere afterwards. Browsers drop
    /// tabs and newlines and read "\\" as "/", so "/\t/evil.example" or "/\\evil.example" would leave the site; and
    /// anything that cannot stand in a Location header as it is (control or non-ASCII characters) is refused too.
    /// </summary>
    public static string LocalOnly(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//")
        && returnUrl.All(c => c is > ' ' and < (char)0x7F and not '\\')
            ? returnUrl
            : "/";

    private static string Page(AntiforgeryTokenSet form, string returnUrl, string? error, bool openId) => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Sign in · CORD-19 control panel</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:10vh auto;padding:0 1rem;color:#222}
        input{width:100%;padding:.5rem;margin:.5rem 0;box-sizing:border-box}button{padding:.5rem 1rem}.error{color:#b00020}</style></head>
        <body><h1>CORD-19 control panel</h1>
        <p>Paste the access token that the panel printed when it started (the address it printed signs you in directly).</p>
        {{(error is null ? "" : $"<p class=\"error\" data-testid=\"signin-error\">{(error == OrganisationDidNotFinish
            ? "Your organisation's sign-in did not finish (cancelled or refused there, or too old to use): sign in with your organisation again, or paste the access token."
            : "That is not the access token. Copy it again from the panel's output.")}</p>")}}
        <form method="post" action="{{Path}}">
        <input type="hidden" name="{{form.FormFieldName}}" value="{{form.RequestToken}}">
        <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl)}}">
        <label for="token">Access token</label><input id="token" name="token" type="password" autocomplete="current-password" autofocus>
        <button type="submit">Sign in</button></form>
        {{(openId ? $"<p>or <a data-testid=\"oidc\" href=\"{OpenIdSignIn.Path}?returnUrl={WebUtility.UrlEncode(returnUrl)}\">sign in with your organisation</a></p>" : "")}}
        </body></html>
        """;
}
