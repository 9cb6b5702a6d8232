using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Cord19.Web.Security;

/// <summary>The sign-in page (paste the token) and the token-in-the-address exchange printed at start-up.</summary>
public static class SignInEndpoints
{
    public const string Path = "/signin";

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        var openId = app.ServiceProvider.GetService<OpenIdSignIn>();
        app.MapGet(Path, (HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error) =>
            Results.Content(Page(antiforgery.GetAndStoreTokens(http), LocalOnly(returnUrl), error, openId is not null), "text/html; charset=utf-8"))
            .AllowAnonymous();
        if (openId is not null) OpenIdSignIn.MapOpenIdSignIn(app);

        app.MapPost(Path, async (HttpContext http, AccessToken token, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
                return Results.Problem("The sign-in form has expired or did not come from this panel: reload the sign-in page and try again.",
                    statusCode: StatusCodes.Status400BadRequest, title: "Sign-in form not accepted");
            var form = await http.Request.ReadFormAsync();
            var returnUrl = LocalOnly(form["returnUrl"]);
            if (!token.Matches(form["token"].ToString().Trim()))
                return Results.Redirect($"{Path}?error=1&returnUrl={WebUtility.UrlEncode(returnUrl)}");
            await SignInAsync(http);
            return Results.Redirect(returnUrl);
        }).AllowAnonymous().DisableAntiforgery(); // validated explicitly above, before the form is trusted

        return app;
    }

    /// <summary>
    /// "/?token=…" (the address printed at start-up) signs the browser in and drops the token from the address,
    /// so it does not linger in history or get copied along with a link.
    /// </summary>
    public static IApplicationBuilder UseTokenInAddress(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Query.TryGetValue("token", out var candidate) && HttpMethods.IsGet(http.Request.Method))
        {
            var token = http.RequestServices.GetRequiredService<AccessToken>();
            if (token.Matches(candidate.ToString()))
            {
                await SignInAsync(http);
                var rest = http.Request.Query.Where(q => q.Key != "token").Select(q => $"{q.Key}={WebUtility.UrlEncode(q.Value)}");
                var query = string.Join("&", rest);
                http.Response.Redirect(http.Request.PathBase + http.Request.Path + (query.Length > 0 ? "?" + query : ""));
                return;
            }
        }
        await next();
    });

    private static Task SignInAsync(HttpContext http) =>
        http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            BearerTokenHandler.Operator(CookieAuthenticationDefaults.AuthenticationScheme),
            new AuthenticationProperties { IsPersistent = true, ExpiresUtc = DateTimeOffset.UtcNow.AddDays(14) });

    /// <summary>Only paths on this site: a sign-in link must not send the user elsewhere afterwards.</summary>
    private static string LocalOnly(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\") ? returnUrl : "/";

    private static string Page(AntiforgeryTokenSet form, string returnUrl, string? error, bool openId) => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Sign in · CORD-19 control panel</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:10vh auto;padding:0 1rem;color:#222}
        input{width:100%;padding:.5rem;margin:.5rem 0;box-sizing:border-box}button{padding:.5rem 1rem}.error{color:#b00020}</style></head>
        <body><h1>CORD-19 control panel</h1>
        <p>Paste the access token that the panel printed when it started (the address it printed signs you in directly).</p>
        {{(error is null ? "" : "<p class=\"error\" data-testid=\"signin-error\">That is not the access token. Copy it again from the panel's output.</p>")}}
        <form method="post" action="{{Path}}">
        <input type="hidden" name="{{form.FormFieldName}}" value="{{form.RequestToken}}">
        <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl)}}">
        <label for="token">Access token</label><input id="token" name="token" type="password" autocomplete="current-password" autofocus>
        <button type="submit">Sign in</button></form>
        {{(openId ? $"<p>or <a data-testid=\"oidc\" href=\"{OpenIdSignIn.Path}?returnUrl={WebUtility.UrlEncode(returnUrl)}\">sign in with your organisation</a></p>" : "")}}
        </body></html>
        """;
}
