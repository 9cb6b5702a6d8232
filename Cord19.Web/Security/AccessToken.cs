using System.Security.Cryptography;
using System.Text;

namespace Cord19.Web.Security;

/// <summary>
/// The secret that lets a person or a script in, as Jupyter does: set by CORD19_ACCESS_TOKEN, or generated
/// at start-up and printed with the address. Browsers exchange it once for a cookie; scripts send
/// "Authorization: Bearer &lt;token&gt;".
/// </summary>
public sealed class AccessToken
{
    public const string EnvironmentVariable = Core.Configuration.Cord19Options.AccessTokenVariable;

    private readonly byte[] _value;

    private AccessToken(string value, bool generated)
    {
        Value = value;
        Generated = generated;
        _value = Encoding.UTF8.GetBytes(value);
    }

    public string Value { get; }

    /// <summary>True when the app made the token up at start-up (it changes at every start).</summary>
    public bool Generated { get; }

    public static AccessToken FromConfiguration(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
            return new AccessToken(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), generated: true);
        return new AccessToken(configured.Trim(), generated: false);
    }

    /// <summary>
    /// What a cookie remembers of the token it was issued for: a hash, so the cookie (and the data-protection keys
    /// that seal it) never hold the token itself.
    /// </summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(_value))[..32];

    /// <summary>Compares in constant time, so that response times reveal nothing of the token.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _value);
}
