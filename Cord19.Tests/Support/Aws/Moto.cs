using Amazon.Runtime;
using Cord19.Core.Aws;

namespace Cord19.Tests.Support.Aws;

/// <summary>
/// moto, an independent open-source AWS emulator, as test.sh starts it (from ../shared/tools/moto, on Debian's Python)
/// and names it in CORD19_TEST_MOTO. Where it is not running, the tests that need it are skipped and say so.
/// </summary>
public static class Moto
{
    public const string Variable = "CORD19_TEST_MOTO";
    public const string Region = "us-east-2";

    public static string? Endpoint => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url ? url.TrimEnd('/') : null;

    public static string SkipReason =>
        $"moto is not running ({Variable} is not set): test.sh starts it when ../shared/tools/moto is there; the AWS acceptance against moto is skipped";

    /// <summary>Forgets every resource, as a fresh account.</summary>
    public static async Task ResetAsync()
    {
        using var http = new HttpClient();
        (await http.PostAsync($"{Endpoint}/moto-api/reset", null)).EnsureSuccessStatusCode();
    }

    /// <summary>The account as the panel reaches it: the same connection type, pointed at moto (overrides win over it).</summary>
    public static AwsConnection Connect(IReadOnlyDictionary<string, string>? overrides = null) =>
        new(Region, new HttpClient(), name => overrides?.GetValueOrDefault(name) ?? (name == AwsEndpoints.Global ? Endpoint : null), new BasicAWSCredentials("testing", "testing"));
}

/// <summary>A fact that runs only against a running moto, and is skipped with the reason otherwise.</summary>
public sealed class MotoFactAttribute : FactAttribute
{
    public MotoFactAttribute()
    {
        if (Moto.Endpoint is null) Skip = Moto.SkipReason;
    }
}
