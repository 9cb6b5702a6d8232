using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The TLS identity of a deployment's Airflow: a key pair and a self-signed certificate made by the panel at phase 1.
/// The key reaches the instance only through SSM Parameter Store (SecureString); the panel pins the certificate's
/// SHA-256 instead of trusting a chain, so credentials never cross the internet in clear and never reach another server.
/// </summary>
public sealed record AirflowCertificate(string CertificatePem, string KeyPem)
{
    /// <summary>Long enough for any deployment (the budget guard's lifetime is hours), short enough to be useless later.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromDays(30);

    public string Sha256 => Sha256Of(CertificatePem);

    public static AirflowCertificate Create(string commonName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server authentication
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(commonName);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + Validity);
        return new AirflowCertificate(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The hex SHA-256 of a PEM certificate's DER bytes: what the Airflow client compares with the server's.</summary>
    public static string Sha256Of(string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        return Sha256Of(certificate);
    }

    public static string Sha256Of(X509Certificate certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData()));
}
