namespace Cord19.Web.Security;

/// <summary>
/// Cross-site request forgery: a state-changing request that a browser authenticates with the panel's cookie must
/// come from the panel's own pages. Browsers send <c>Origin</c> (or at least <c>Referer</c>) on every POST, PUT, PATCH
/// and DELETE, and a page on another origin cannot forge either — including another port of the same host, which
/// SameSite cookies do not separate (docker-compose puts Airflow on :8081 and MinIO on :9001). Scripts authenticate with
/// a bearer header, which no form can send, and are not checked. This covers every writer alike: the API, Blazor's
/// circuit negotiation and Hangfire's dashboard actions.
/// </summary>
public static class SameOriginWrites
{
    public const string CookieName = "cord19.auth";

    /// <summary>Where an identity provider posts back (form_post): cross-site by design, and checked by OpenID Connect itself.</summary>
    private static readonly PathString[] CrossSiteByDesign = [OpenIdSignIn.CallbackPath];

    /// <param name="signInOff">
    /// With sign-in off (loopback only) there is no cookie to look for: every write that names a foreign origin is
    /// refused, and one naming none (a script's curl) is let through, as there is nothing to forge.
    /// </param>
    public static IApplicationBuilder UseSameOriginWrites(this IApplicationBuilder app, bool signInOff = false) => app.Use(async (http, next) =>
    {
        var request = http.Request;
        var writes = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method);
        var refused = writes && !request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && !CrossSiteByDesign.Any(p => request.Path.StartsWithSegments(p))
            && (signInOff
                ? ClaimedOrigin(request) is not null && !IsSameOrigin(request)
                : request.Cookies.ContainsKey(CookieName) && !IsSameOrigin(request));
        if (refused)
        {
            await Results.Problem(
                "This request changes something and carries the panel's sign-in cookie, but it did not come from the panel's own pages " +
                "(its Origin or Referer names another site, or neither is present). Use the panel's pages, or send scripts' requests with " +
                "'Authorization: Bearer <token>'.",
                statusCode: StatusCodes.Status403Forbidden, title: "Cross-site request refused").ExecuteAsync(http);
            return;
        }
        await next();
    });

    /// <summary>The request's Origin, else its Referer, names this very host and port.</summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        if (!Uri.TryCreate(ClaimedOrigin(request), UriKind.Absolute, out var source) || source.Scheme is not ("http" or "https")) return false;
        // Host and port only: behind a TLS-terminating proxy the browser says https while the app sees http on the same
        // name. So a Host without a port means the default port of the browser's scheme, not of the app's: read by the
        // app's, "https://panel.example" (443) never matched "Host: panel.example" (80), and every write of a signed-in
        // browser behind the proxy the README recommends was refused, Blazor's own connection included.
        var host = HostString.FromUriComponent(source);
        var own = request.Host;
        var browserDefault = DefaultPort(source.Scheme);
        return string.Equals(host.Host, own.Host, StringComparison.OrdinalIgnoreCase)
               && (host.Port ?? browserDefault) == (own.Port ?? browserDefault);
    }

    private static string? ClaimedOrigin(HttpRequest request) =>
        request.Headers.Origin.ToString() is { Length: > 0 } origin ? origin
        : request.Headers.Referer.ToString() is { Length: > 0 } referer ? referer
        : null;

    private static int DefaultPort(string scheme) => scheme == "https" ? 443 : 80;
}
