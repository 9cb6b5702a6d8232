using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Cord19.Core.Json.LenientJson;

namespace Cord19.Core.Airflow;

/// <summary>
/// Asks PyPI's JSON API (docs.pypi.org/api/json) about apache-airflow: <c>/pypi/apache-airflow/&lt;version&gt;/json</c>
/// for the release itself (404 when there is none; yanked or not; its known vulnerabilities; the Python versions its
/// classifiers name) and
/// <c>/pypi/apache-airflow/json</c> for the latest release (<c>info.version</c>). No .NET package reads PyPI, so
/// this small client is ours.
/// </summary>
public sealed partial class PyPiAirflowReleases(IHttpClientFactory http, Uri index) : IAirflowReleaseIndex
{
    public const string HttpClientName = "pypi";
    private const string Project = "apache-airflow";
    private const string PythonClassifier = "Programming Language :: Python :: ";

    public async Task<AirflowReleaseFacts> LookUpAsync(string version, CancellationToken ct)
    {
        var client = http.CreateClient(HttpClientName);
        // Both at once: the latest release is needed whatever the release's own answer.
        var latest = LatestAsync(client, ct);
        using var release = await GetAsync(client, $"pypi/{Project}/{Uri.EscapeDataString(version)}/json", ct);
        if (release is null) return new AirflowReleaseFacts(version, Released: false, null, [], await latest);
        var info = release.RootElement.TryGetProperty("info", out var i) ? i : default;
        var yanked = Bool(info, "yanked") == true ? Str(info, "yanked_reason") ?? "" : null;
        var vulnerabilities = Array(release.RootElement, "vulnerabilities")
            // A withdrawn one was found not to be a vulnerability after all.
            .Where(v => Str(v, "withdrawn") is null)
            .Select(v => new KnownVulnerability(Str(v, "id") ?? "(no id)", Strings(v, "aliases"), Strings(v, "fixed_in")))
            .ToList();
        return new AirflowReleaseFacts(version, Released: true, yanked, vulnerabilities, await latest, Pythons(info));
    }

    /// <summary>"Programming Language :: Python :: 3.12" gives "3.12"; "… :: Python :: 3" and "… :: 3 :: Only" name no version.</summary>
    private static List<string> Pythons(JsonElement info) =>
        Strings(info, "classifiers")
            .Where(c => c.StartsWith(PythonClassifier, StringComparison.Ordinal))
            .Select(c => c[PythonClassifier.Length..])
            .Where(v => MajorMinor().IsMatch(v))
            .ToList();

    [GeneratedRegex(@"^\d+\.\d+$")]
    private static partial Regex MajorMinor();

    /// <summary>The latest release, or null: the release's own facts are worth having without it.</summary>
    private async Task<string?> LatestAsync(HttpClient client, CancellationToken ct)
    {
        try
        {
            using var project = await GetAsync(client, $"pypi/{Project}/json", ct);
            return project is null ? null : Str(project.RootElement.TryGetProperty("info", out var info) ? info : default, "version");
        }
        catch (PackageIndexUnreachableException)
        {
            return null;
        }
    }

    private static IReadOnlyList<string> Strings(JsonElement e, string name) =>
        Array(e, name).Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!).ToList();

    /// <summary>The answer as JSON; null for 404. Anything else that is not JSON from the API is PyPI out of reach.</summary>
    private async Task<JsonDocument?> GetAsync(HttpClient client, string path, CancellationToken ct)
    {
        var address = new Uri(index, path);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, address);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (!response.IsSuccessStatusCode)
                throw Unreachable($"it answered {(int)response.StatusCode} {response.ReasonPhrase}");
            if (response.Content.Headers.ContentType?.MediaType is not "application/json")
                // A proxy's or a captive portal's page: named, never pasted.
                throw Unreachable($"it answered with {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, not PyPI's JSON (a proxy or a wrong address?)");
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return await JsonDocument.ParseAsync(body, cancellationToken: ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw Unreachable(ex switch
            {
                HttpRequestException { HttpRequestError: var error } => $"{error}: {ex.Message}",
                JsonException => "its answer was not JSON",
                _ => $"it did not answer within {client.Timeout.TotalSeconds:0} s",
            }, ex);
        }

        PackageIndexUnreachableException Unreachable(string why, Exception? inner = null) => new(
            $"Could not ask PyPI ({index.GetLeftPart(UriPartial.Authority)}) about Apache Airflow: {why}.",
            "Check this machine's network (or CORD19_PYPI_URL), or look the release up on pypi.org/project/apache-airflow yourself.", inner);
    }
}
