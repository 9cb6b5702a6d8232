using System.Security.Cryptography;

namespace Cord19.Core.Targets.Aws;

public static class AwsPasswords
{
    /// <summary>
    /// Letters and digits only: it travels through shell, JSON and Redshift's password rules (which need both cases and
    /// a digit).
    /// </summary>
    public static string New()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return "Cx9" + RandomNumberGenerator.GetString(alphabet, 29);
    }
}
