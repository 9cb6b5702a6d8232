using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace Cord19.Web.Security;

/// <summary>
/// Headers on every answer, errors included, for what the panel never needs a browser to do. Run a script that is not one
/// of the panel's files (<see cref="PagePolicy"/>). Be framed by another page: a framed panel can be clicked through
/// (clickjacking), by any site with sign-in off, and with it on by any port of the same host, which SameSite cookies do
/// not separate (Airflow on :8081, MinIO on :9001). Guess a content type. Pass the panel's addresses to other sites as a
/// referrer: "same-origin", not "no-referrer", which makes browsers send "Origin: null" on the panel's own writes, and
/// <see cref="SameOriginWrites"/> refuses those.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>Hangfire's dashboard is its own pages, kept as Hangfire writes them: only never framed.</summary>
    public const string DashboardPolicy = "frame-ancestors 'none'";

    private static readonly ConditionalWeakTable<ImportMapDefinition, string> ImportMapHashes = [];

    /// <summary>
    /// The panel's pages load scripts, styles, images and their connection from the panel only: a script slipped into a
    /// page (a document title in a chart's tooltip, say) cannot run inline or load from elsewhere. The one inline script
    /// is Blazor's import map, allowed by its hash. Nothing is evaluated: the charts' options are JSON that name their
    /// formatters (ChartFormatters), which charts.js parses in place of Vizor.ECharts' eval. Inline styles because
    /// MudBlazor and ECharts set them.
    /// </summary>
    public static string PagePolicy(string? importMapHash) =>
        $"default-src 'self'; script-src 'self'{(importMapHash is null ? "" : $" '{importMapHash}'")}; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    /// <summary>The CSP source of the import map a page's <c>ImportMap</c> writes: the hash of the very text it renders (the definition's ToString()).</summary>
    public static string ImportMapSource(string json) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        // When the answer starts: an exception handler clears the headers set before it, and the endpoint is known by then.
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/hangfire")
                ? DashboardPolicy
                : PagePolicy(http.GetEndpoint()?.Metadata.GetMetadata<ImportMapDefinition>() is { } map
                    ? ImportMapHashes.GetValue(map, m => ImportMapSource(m.ToString()))
                    : null);
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(http);
    });
}
