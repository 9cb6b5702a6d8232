namespace Cord19.Web.Security;

/// <summary>
/// Headers on every answer, errors included, for what the panel never needs a browser to do. Be framed by another page:
/// a framed panel can be clicked through (clickjacking), by any site with sign-in off, and with it on by any port of the
/// same host, which SameSite cookies do not separate (Airflow on :8081, MinIO on :9001). Guess a content type. Pass the
/// panel's addresses to other sites as a referrer. "same-origin", not "no-referrer": the latter makes browsers send
/// "Origin: null" on the panel's own writes, which <see cref="SameOriginWrites"/> refuses.
/// </summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        // When the answer starts: an exception handler clears the headers set before it.
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(http);
    });
}
