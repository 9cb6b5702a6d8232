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

    /// <summary>
    /// Starts moto's recorder afresh: every request moto answers from now on is kept, in order (test.sh points its file
    /// into TestResults). moto lets a security group that an instance or a cluster still uses be deleted; AWS refuses,
    /// so the order AWS would enforce is read from the requests themselves.
    /// </summary>
    public static async Task StartRecordingAsync()
    {
        using var http = new HttpClient();
        (await http.PostAsync($"{Endpoint}/moto-api/recorder/reset-recording", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"{Endpoint}/moto-api/recorder/start-recording", null)).EnsureSuccessStatusCode();
    }

    /// <summary>Stops the recorder; the requests it kept, in the order moto answered them.</summary>
    public static async Task<IReadOnlyList<MotoRequest>> StopRecordingAsync()
    {
        using var http = new HttpClient();
        (await http.PostAsync($"{Endpoint}/moto-api/recorder/stop-recording", null)).EnsureSuccessStatusCode();
        var lines = (await http.GetStringAsync($"{Endpoint}/moto-api/recorder/download-recording")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return [.. lines.Select(MotoRequest.Parse)];
    }

    /// <summary>
    /// An image to launch: moto lacks Canonical's public SSM parameter and its 24.04 images, so one of the Canonical
    /// images it has.
    /// </summary>
    public static async Task<string> CanonicalImageAsync(Amazon.EC2.IAmazonEC2 ec2) =>
        (await ec2.DescribeImagesAsync(new Amazon.EC2.Model.DescribeImagesRequest { Owners = [Cord19.Core.Targets.Aws.AwsCloud.CanonicalOwner] })).Images[0].ImageId;

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

/// <summary>
/// One request moto's recorder kept: its action (the query protocol's <c>Action</c>, the JSON protocol's target, or S3's
/// method and path) and its body, in which the resources it names can be looked for.
/// </summary>
public sealed record MotoRequest(string Action, string Body)
{
    public static MotoRequest Parse(string line)
    {
        using var entry = System.Text.Json.JsonDocument.Parse(line);
        var root = entry.RootElement;
        var body = root.TryGetProperty("body", out var b) && b.ValueKind == System.Text.Json.JsonValueKind.String ? b.GetString()! : "";
        if (root.TryGetProperty("body_encoded", out var encoded) && encoded.ValueKind == System.Text.Json.JsonValueKind.True)
            body = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(body));
        var form = System.Web.HttpUtility.ParseQueryString(body);
        var target = root.GetProperty("headers").EnumerateObject().FirstOrDefault(h => h.Name.Equals("X-Amz-Target", StringComparison.OrdinalIgnoreCase));
        var action = form["Action"]
            ?? (target.Value.ValueKind == System.Text.Json.JsonValueKind.String ? target.Value.GetString()!.Split('.')[^1] : null)
            ?? $"{root.GetProperty("method").GetString()} {new Uri(root.GetProperty("url").GetString()!).AbsolutePath}";
        return new MotoRequest(action, Uri.UnescapeDataString(body));
    }
}
