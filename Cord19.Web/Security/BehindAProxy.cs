using Microsoft.AspNetCore.HttpOverrides;

namespace Cord19.Web.Security;

/// <summary>
/// The panel behind the reverse proxy the README recommends for opening it to others (TLS ends at the proxy). The proxy
/// says how the browser came (<c>X-Forwarded-Proto</c>) and from where (<c>X-Forwarded-For</c>), and the panel believes
/// it from loopback (ASP.NET Core's default) and from the proxies <c>CORD19_TRUSTED_PROXIES</c> names (a load balancer on
/// another machine). Without it the organisation's sign-in sent its provider an http address to come back to, the sign-in
/// cookie was not marked Secure, and every client shared the proxy's address, and so one throttle of wrong tokens.
/// </summary>
public static class BehindAProxy
{
    /// <param name="otherMachines">Proxies beyond loopback to believe too (<c>CORD19_TRUSTED_PROXIES</c>: a load balancer).</param>
    public static IServiceCollection AddProxyHeaders(this IServiceCollection services, IReadOnlyList<System.Net.IPNetwork> otherMachines) =>
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var network in otherMachines) o.KnownIPNetworks.Add(network);
        });

    /// <param name="signInOff">
    /// Sign-in off is for this machine alone, and binding to loopback cannot tell a proxy's requests from this machine's:
    /// a request a proxy forwarded is refused, or whoever reaches the proxy would reach the panel without a token.
    /// </param>
    public static IApplicationBuilder UseProxyHeaders(this IApplicationBuilder app, bool signInOff)
    {
        if (signInOff)
            app.Use(async (http, next) =>
            {
                if (!http.Request.Headers.ContainsKey("X-Forwarded-For") && !http.Request.Headers.ContainsKey("Forwarded"))
                {
                    await next();
                    return;
                }
                await Results.Problem(
                    $"Sign-in is off ({Core.Configuration.Cord19Options.SignInVariable}=off), which is for this machine only, and this request came " +
                    "through a proxy (it carries X-Forwarded-For or Forwarded): whoever reaches the proxy would reach the panel without a token. " +
                    $"Remove {Core.Configuration.Cord19Options.SignInVariable}=off to serve the panel through a proxy, or open it on this machine.",
                    statusCode: StatusCodes.Status403Forbidden, title: "Sign-in is off: not through a proxy").ExecuteAsync(http);
            });
        return app.UseForwardedHeaders();
    }
}
