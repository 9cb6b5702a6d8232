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

    public static IApplicationBuilder UseProxyHeaders(this IApplicationBuilder app) => app.UseForwardedHeaders();
}
