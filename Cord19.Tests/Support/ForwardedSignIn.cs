using System.Net;

namespace Cord19.Tests.Support;

/// <summary>A sign-in that reaches an in-memory panel through a TLS-terminating proxy at <c>proxy</c>'s address.</summary>
public static class ForwardedSignIn
{
    /// <summary>Whether the panel believed the proxy's <c>X-Forwarded-Proto: https</c>: its sign-in cookie is then Secure.</summary>
    public static async Task<bool> IsCookieSecureAsync(WebAppFactory app, string proxy)
    {
        var signedIn = await app.Server.SendAsync(http =>
        {
            http.Request.Method = "GET";
            http.Request.Path = "/";
            http.Request.QueryString = new($"?token={WebAppFactory.AccessToken}");
            http.Request.Headers["X-Forwarded-Proto"] = "https";
            http.Connection.RemoteIpAddress = IPAddress.Parse(proxy);
        });
        var cookie = signedIn.Response.Headers.SetCookie.Single(c => c!.StartsWith("cord19.auth=", StringComparison.Ordinal))!;
        return cookie.Contains("; secure", StringComparison.OrdinalIgnoreCase);
    }
}
