using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Web;
using Cord19.Core.Airflow;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Cord19.Tests.Support.Airflow;

/// <summary>
/// One of Airflow's official OpenAPI specs (copied into TestData/airflow, see SOURCES.md there), read with
/// Microsoft.OpenApi: finds the operation a request is for and lists every way the request breaks it.
/// </summary>
public sealed class AirflowSpec
{
    private static readonly Dictionary<AirflowApiVersion, AirflowSpec> Loaded = [];

    private AirflowSpec(AirflowApiVersion version, OpenApiDocument document, string file)
    {
        Version = version;
        Document = document;
        File = file;
    }

    public AirflowApiVersion Version { get; }
    public OpenApiDocument Document { get; }
    /// <summary>The spec file on disk.</summary>
    public string File { get; }

    /// <summary>v1 declares its paths relative to the server "/api/v1"; v2's paths already carry "/api/v2".</summary>
    public string PathPrefix => Version == AirflowApiVersion.V1 ? "/api/v1" : "";

    public static AirflowSpec Load(AirflowApiVersion version)
    {
        lock (Loaded)
        {
            if (Loaded.TryGetValue(version, out var spec)) return spec;
            var file = Path.Combine(AppContext.BaseDirectory, "TestData", "airflow", version == AirflowApiVersion.V1 ? "airflow-2-v1.yaml" : "airflow-3-v2.yaml");
            var settings = new OpenApiReaderSettings();
            settings.AddYamlReader();
            using var stream = new MemoryStream(System.IO.File.ReadAllBytes(file));
            var read = OpenApiDocument.Load(stream, "yaml", settings);
            if (read.Document is null || read.Diagnostic?.Errors.Count > 0)
                throw new InvalidOperationException($"{file} does not read: {string.Join("; ", read.Diagnostic?.Errors.Select(e => e.Message) ?? [])}");
            return Loaded[version] = new AirflowSpec(version, read.Document, file);
        }
    }

    public sealed record Match(string Template, HttpMethod Method, OpenApiOperation Operation, IReadOnlyList<IOpenApiParameter> Parameters, IReadOnlyDictionary<string, string> PathValues);

    /// <summary>The operation for this method and path, or null when the spec has none.</summary>
    public Match? Find(HttpMethod method, string absolutePath)
    {
        foreach (var (template, item) in Document.Paths)
        {
            var values = MatchTemplate(PathPrefix + template, absolutePath);
            if (values is null || item.Operations is null || !item.Operations.TryGetValue(method, out var operation)) continue;
            // Literal segments win over templated ones ("/dags/~/dagRuns/list" over "/dags/{dag_id}/dagRuns/{dag_run_id}").
            var parameters = (item.Parameters ?? []).Concat(operation.Parameters ?? [])
                .GroupBy(p => (p.Name, p.In)).Select(g => g.Last()).ToList();
            return new Match(template, method, operation, parameters, values);
        }
        return null;
    }

    /// <summary>Every way <paramref name="request"/> breaks the spec; empty when it keeps it.</summary>
    public IReadOnlyList<string> Check(HttpRequestMessage request, string? body)
    {
        var uri = request.RequestUri!;
        var match = Find(request.Method, uri.AbsolutePath);
        if (match is null) return [$"{request.Method} {uri.AbsolutePath}: no such operation in {Path.GetFileName(File)}"];
        var problems = new List<string>();
        var where = $"{match.Operation.OperationId}";

        var query = HttpUtility.ParseQueryString(uri.Query);
        foreach (var name in query.AllKeys.OfType<string>())
        {
            var parameter = match.Parameters.FirstOrDefault(p => p.Name == name && p.In == ParameterLocation.Query);
            if (parameter is null) { problems.Add($"{where}: query parameter '{name}' is not in the spec"); continue; }
            foreach (var value in query.GetValues(name) ?? [])
            {
                problems.AddRange(SchemaCheck.Value(parameter.Schema, ParameterValue(parameter.Schema, value), $"{where} ?{name}"));
                problems.AddRange(UnlistedAttributes(parameter, value, $"{where} ?{name}"));
            }
        }
        foreach (var parameter in match.Parameters.Where(p => p.Required))
        {
            var present = parameter.In switch
            {
                ParameterLocation.Path => match.PathValues.ContainsKey(parameter.Name!),
                ParameterLocation.Query => query[parameter.Name] is not null,
                ParameterLocation.Header => request.Headers.Contains(parameter.Name!),
                _ => true,
            };
            if (!present) problems.Add($"{where}: required {parameter.In} parameter '{parameter.Name}' is missing");
        }
        foreach (var (name, value) in match.PathValues)
        {
            var parameter = match.Parameters.FirstOrDefault(p => p.Name == name && p.In == ParameterLocation.Path);
            if (parameter is null) problems.Add($"{where}: path parameter '{name}' is not declared");
            else problems.AddRange(SchemaCheck.Value(parameter.Schema, ParameterValue(parameter.Schema, value), $"{where} /{{{name}}}"));
        }

        var bodySchema = match.Operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true ? media.Schema : null;
        if (body is { Length: > 0 })
        {
            if (bodySchema is null) problems.Add($"{where}: sends a body the operation does not take");
            else problems.AddRange(SchemaCheck.Value(bodySchema, JsonNode.Parse(body), $"{where} body", isRequest: true));
        }
        else if (match.Operation.RequestBody?.Required == true)
        {
            problems.Add($"{where}: the request body is required");
        }
        return problems;
    }

    /// <summary>
    /// Airflow 3's spec lists the attributes an order_by may name only in its description ("Supported attributes:
    /// `id, state, …`"); Airflow answers 400 to any other, so the check reads the list from there.
    /// </summary>
    private static IEnumerable<string> UnlistedAttributes(IOpenApiParameter parameter, string value, string where)
    {
        var listed = Regex.Match(parameter.Description ?? "", "Supported attributes: `([^`]*)`");
        if (!listed.Success) return [];
        var supported = listed.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries);
        return value.Split(',').Select(a => a.TrimStart('-')).Where(a => !supported.Contains(a))
            .Select(a => $"{where}: '{a}' is not among the attributes the spec lists ({listed.Groups[1].Value})");
    }

    /// <summary>A 2xx response schema of the operation, for making answers of the spec's shape.</summary>
    public static IOpenApiSchema? SuccessSchema(OpenApiOperation operation) =>
        operation.Responses?.Where(r => r.Key.StartsWith('2')).OrderBy(r => r.Key)
            .Select(r => r.Value.Content?.TryGetValue("application/json", out var media) == true ? media.Schema : null)
            .FirstOrDefault(s => s is not null);

    private static JsonNode? ParameterValue(IOpenApiSchema? schema, string text)
    {
        var type = schema?.Type ?? 0;
        if (type.HasFlag(JsonSchemaType.Integer) && long.TryParse(text, out var i)) return JsonValue.Create(i);
        if (type.HasFlag(JsonSchemaType.Number) && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        if (type.HasFlag(JsonSchemaType.Boolean) && bool.TryParse(text, out var b)) return JsonValue.Create(b);
        // form style, explode=false: "a,b"; explode=true arrives as repeated keys, one value each
        if (type.HasFlag(JsonSchemaType.Array)) return new JsonArray(text.Split(',').Select(v => ParameterValue(schema!.Items, v)).ToArray());
        return JsonValue.Create(text);
    }

    private static Dictionary<string, string>? MatchTemplate(string template, string path)
    {
        var t = template.Trim('/').Split('/');
        var p = path.Trim('/').Split('/');
        if (t.Length != p.Length) return null;
        var values = new Dictionary<string, string>();
        for (var i = 0; i < t.Length; i++)
        {
            if (t[i].StartsWith('{') && t[i].EndsWith('}')) values[t[i][1..^1]] = Uri.UnescapeDataString(p[i]);
            else if (!string.Equals(t[i], p[i], StringComparison.Ordinal)) return null;
        }
        return values;
    }
}
