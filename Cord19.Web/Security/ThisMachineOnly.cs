using Cord19.Core.Configuration;

namespace Cord19.Web.Security;

/// <summary>
/// Sign-in off is for a person on this machine alone. Listening on loopback only (checked at start) keeps the network
/// out, but two kinds of request still reach a loopback address from elsewhere, and both are refused here, before
/// anything is read or changed:
/// <list type="bullet">
/// <item>one a proxy on this machine forwarded (it carries <c>X-Forwarded-For</c> or <c>Forwarded</c>): whoever reaches
/// the proxy would reach the panel without a token;</item>
/// <item>one that names another host than this machine (DNS rebinding): a page on any site this machine's browser opens
/// can point its own name at 127.0.0.1 and then read and drive the panel as its own origin, so the same-origin check of
/// writes, which compares <c>Origin</c> with <c>Host</c>, lets it through. The browser sends the page's name in
/// <c>Host</c>; only <c>localhost</c> and loopback addresses (NCC Group's advice for services on loopback) are this
/// machine. It also catches a proxy that passes <c>Host</c> through without forwarding headers.</item>
/// </list>
/// ASP.NET Core's host filtering (<c>AllowedHosts</c>) is not used: it cannot say "any loopback address", and its
/// refusal is a bare 400 that names neither the cause nor the fix.
/// </summary>
public static class ThisMachineOnly
{
    public static IApplicationBuilder UseThisMachineOnly(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (Refusal(http.Request) is not var (title, detail))
        {
            await next();
            return;
        }
        await Results.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: title).ExecuteAsync(http);
    });

    private static (string Title, string Detail)? Refusal(HttpRequest request)
    {
        const string signInOff = $"Sign-in is off ({Cord19Options.SignInVariable}=off), which is for this machine only";
        if (request.Headers.ContainsKey("X-Forwarded-For") || request.Headers.ContainsKey("Forwarded"))
            return ("Sign-in is off: not through a proxy",
                $"{signInOff}, and this request came through a proxy (it carries X-Forwarded-For or Forwarded): whoever reaches the proxy " +
                $"would reach the panel without a token. Remove {Cord19Options.SignInVariable}=off to serve the panel through a proxy, or open it on this machine.");
        if (!Hosting.LoopbackDefaults.NamesThisMachine(request.Host))
            return ("Sign-in is off: this machine's names only",
                $"{signInOff}, and this request was addressed to another name than this machine's ('{request.Host.Host}'): a site can point " +
                "its own name at this machine to reach the panel from a browser. Open the address the panel printed at start (127.0.0.1 " +
                $"or localhost), or remove {Cord19Options.SignInVariable}=off to serve the panel under another name.");
        return null;
    }
}
