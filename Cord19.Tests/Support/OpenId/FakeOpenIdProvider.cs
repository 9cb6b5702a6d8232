using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cord19.Tests.Support.OpenId;

/// <summary>
/// An OpenID Connect provider for one person who is already signed in there: its authorize page posts the code straight
/// back (form_post, as ASP.NET Core asks), its token endpoint answers an ID token signed with its own RSA key. It listens
/// on 127.0.0.2, another site than the panel's 127.0.0.1 to a browser, as a real provider is.
/// </summary>
public sealed class FakeOpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "cord19-panel";
    public const string ClientSecret = "fake-provider-client-secret";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "fake-1" };
    private readonly ConcurrentDictionary<string, string> _nonces = new();

    private FakeOpenIdProvider(WebApplication app) => _app = app;

    public string Authority { get; private set; } = null!;

    public static async Task<FakeOpenIdProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.2:0");
        var provider = new FakeOpenIdProvider(builder.Build());
        provider.Map();
        await provider._app.StartAsync();
        provider.Authority = provider._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return provider;
    }

    private void Map()
    {
        _app.MapGet("/.well-known/openid-configuration", () => Microsoft.AspNetCore.Http.Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Authority,
            ["authorization_endpoint"] = $"{Authority}/authorize",
            ["token_endpoint"] = $"{Authority}/token",
            ["jwks_uri"] = $"{Authority}/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        _app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(_key);
            return Microsoft.AspNetCore.Http.Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } });
        });
        // The person is signed in here already: the page posts the code back at once, from this site.
        _app.MapGet("/authorize", (string redirect_uri, string state, string nonce) =>
        {
            var code = Guid.NewGuid().ToString("N");
            _nonces[code] = nonce;
            return Microsoft.AspNetCore.Http.Results.Content(
                $"<!DOCTYPE html><html><body><form id=f method=post action=\"{WebUtility.HtmlEncode(redirect_uri)}\">" +
                $"<input type=hidden name=code value=\"{code}\"><input type=hidden name=state value=\"{WebUtility.HtmlEncode(state)}\"></form>" +
                "<script>document.getElementById('f').submit()</script></body></html>", "text/html");
        });
        _app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (!_nonces.TryRemove(form["code"].ToString(), out var nonce)) return Microsoft.AspNetCore.Http.Results.BadRequest(new { error = "invalid_grant" });
            var now = DateTime.UtcNow;
            var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Authority,
                Audience = ClientId,
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddMinutes(5),
                Claims = new Dictionary<string, object> { ["sub"] = "researcher-1", ["nonce"] = nonce, ["email"] = "researcher@example.org" },
                SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
            });
            return Microsoft.AspNetCore.Http.Results.Json(new { id_token = idToken, access_token = "unused", token_type = "Bearer", expires_in = 300 });
        });
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
