using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Cord19.Tests.Support.Aws;

/// <summary>
/// One botocore service model (TestData/aws, see SOURCES.md there), read to check the requests the hand-signed
/// client sends — action, every parameter path under botocore's Query flattening or the JSON body, types, enums,
/// lengths, ranges and required members — and to build answers in the shapes the model gives its outputs.
/// </summary>
public sealed class BotocoreModel
{
    private readonly JsonElement _operations;
    private readonly JsonElement _shapes;

    private BotocoreModel(string service, JsonElement root)
    {
        Service = service;
        Metadata = root.GetProperty("metadata");
        _operations = root.GetProperty("operations");
        _shapes = root.GetProperty("shapes");
    }

    public string Service { get; }
    public JsonElement Metadata { get; }
    public string ApiVersion => Metadata.GetProperty("apiVersion").GetString()!;
    public string? TargetPrefix => Metadata.TryGetProperty("targetPrefix", out var t) ? t.GetString() : null;

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "aws");

    public static BotocoreModel Load(string service)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, service, "service-2.json")));
        return new BotocoreModel(service, document.RootElement.Clone());
    }

    public bool HasOperation(string name) => _operations.TryGetProperty(name, out _);

    /// <summary>The refusals the model says an operation may answer: wire code, HTTP status where it gives one, and its words.</summary>
    public IEnumerable<(string Code, int? Status, string Documentation)> Errors(string operation)
    {
        if (!_operations.GetProperty(operation).TryGetProperty("errors", out var errors)) yield break;
        foreach (var error in errors.EnumerateArray())
        {
            var name = error.GetProperty("shape").GetString()!;
            var shape = Shape(name);
            var wire = shape.TryGetProperty("error", out var e) ? e : default;
            var code = wire.ValueKind == JsonValueKind.Object && wire.TryGetProperty("code", out var c) ? c.GetString()! : name;
            int? status = wire.ValueKind == JsonValueKind.Object && wire.TryGetProperty("httpStatusCode", out var h) ? h.GetInt32() : null;
            yield return (code, status, shape.TryGetProperty("documentation", out var d) ? d.GetString() ?? "" : "");
        }
    }

    private JsonElement Shape(string name) => _shapes.GetProperty(name);

    private string? InputShape(string operation) =>
        _operations.GetProperty(operation).TryGetProperty("input", out var input) ? input.GetProperty("shape").GetString() : null;

    // ---- Query protocol -------------------------------------------------------------------------------------

    /// <summary>What is wrong with a Query request's form fields; empty when the model accepts them.</summary>
    public IReadOnlyList<string> CheckQuery(IReadOnlyList<KeyValuePair<string, string>> form)
    {
        var problems = new List<string>();
        var action = form.FirstOrDefault(p => p.Key == "Action").Value;
        if (action is null || !HasOperation(action)) return [$"{Service}: unknown Action '{action}'"];
        if (form.FirstOrDefault(p => p.Key == "Version").Value != ApiVersion)
            problems.Add($"{action}: Version must be {ApiVersion}");

        var tree = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in form.Where(p => p.Key is not ("Action" or "Version")))
        {
            var node = tree;
            var parts = key.Split('.');
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (!node.TryGetValue(parts[i], out var child)) node[parts[i]] = child = new Dictionary<string, object>(StringComparer.Ordinal);
                if (child is not Dictionary<string, object> inner) { problems.Add($"{action}: '{key}' nests under a value"); goto next; }
                node = inner;
            }
            if (!node.TryAdd(parts[^1], value)) problems.Add($"{action}: '{key}' given twice");
            next:;
        }

        if (InputShape(action) is { } input) CheckQueryNode(action, tree, input, action, problems);
        else if (tree.Count > 0) problems.Add($"{action}: takes no parameters");
        return problems;
    }

    private void CheckQueryNode(string path, object node, string shapeName, string action, List<string> problems)
    {
        var shape = Shape(shapeName);
        var type = shape.GetProperty("type").GetString();
        switch (type)
        {
            case "structure":
                if (node is not Dictionary<string, object> fields) { problems.Add($"{path}: a structure given as a value"); return; }
                var members = shape.GetProperty("members").EnumerateObject()
                    .ToDictionary(m => m.Value.TryGetProperty("locationName", out var l) ? l.GetString()! : m.Name, m => (m.Name, Shape: m.Value.GetProperty("shape").GetString()!));
                foreach (var (name, value) in fields)
                {
                    if (!members.TryGetValue(name, out var found)) { problems.Add($"{path}.{name}: not a member of {shapeName}"); continue; }
                    CheckQueryNode($"{path}.{name}", value, found.Shape, action, problems);
                }
                foreach (var required in Required(shape))
                {
                    var serialized = members.First(m => m.Value.Name == required).Key;
                    if (!fields.ContainsKey(serialized)) problems.Add($"{path}: required {required} is missing");
                }
                break;
            case "list":
                var member = shape.GetProperty("member");
                var itemShape = member.GetProperty("shape").GetString()!;
                var flattened = shape.TryGetProperty("flattened", out var f) && f.GetBoolean();
                if (node is not Dictionary<string, object> list) { problems.Add($"{path}: a list given as a value"); return; }
                var items = list;
                if (!flattened)
                {
                    var itemName = member.TryGetProperty("locationName", out var l) ? l.GetString()! : "member";
                    if (list.Count != 1 || !list.TryGetValue(itemName, out var wrapped) || wrapped is not Dictionary<string, object> inner)
                    {
                        problems.Add($"{path}: list items must be {path}.{itemName}.N (got {string.Join(", ", list.Keys)})");
                        return;
                    }
                    items = inner;
                    path = $"{path}.{itemName}";
                }
                var indexes = items.Keys.Select(k => int.TryParse(k, out var i) ? i : -1).Order().ToList();
                if (!indexes.SequenceEqual(Enumerable.Range(1, indexes.Count)))
                    problems.Add($"{path}: list indexes must run 1..N (got {string.Join(", ", items.Keys)})");
                foreach (var (index, value) in items) CheckQueryNode($"{path}.{index}", value, itemShape, action, problems);
                if (shape.TryGetProperty("min", out var min) && items.Count < min.GetInt32()) problems.Add($"{path}: at least {min} items");
                break;
            case "map":
                problems.Add($"{path}: maps are not used by this client");
                break;
            default:
                if (node is not string text) { problems.Add($"{path}: a {type} given as a structure"); return; }
                CheckScalar(path, shape, type!, text, problems);
                break;
        }
    }

    private static void CheckScalar(string path, JsonElement shape, string type, string text, List<string> problems)
    {
        switch (type)
        {
            case "string":
                if (shape.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.GetString() == text))
                    problems.Add($"{path}: '{text}' is not one of {string.Join(", ", values.EnumerateArray())}");
                if (shape.TryGetProperty("min", out var min) && text.Length < min.GetInt32()) problems.Add($"{path}: shorter than {min}");
                if (shape.TryGetProperty("max", out var max) && text.Length > max.GetInt32()) problems.Add($"{path}: longer than {max}");
                break;
            case "integer" or "long":
                if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)) problems.Add($"{path}: '{text}' is not a whole number");
                else if ((shape.TryGetProperty("min", out var low) && number < low.GetInt64()) || (shape.TryGetProperty("max", out var high) && number > high.GetInt64()))
                    problems.Add($"{path}: {number} is out of range");
                break;
            case "double" or "float":
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) problems.Add($"{path}: '{text}' is not a number");
                break;
            case "boolean":
                if (text is not ("true" or "false")) problems.Add($"{path}: '{text}' is not true or false");
                break;
            case "timestamp":
                if (!DateTime.TryParseExact(text, ["yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.fffZ"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out _))
                    problems.Add($"{path}: '{text}' is not an ISO 8601 UTC time");
                break;
            default:
                problems.Add($"{path}: type {type} is not checked");
                break;
        }
    }

    private static IEnumerable<string> Required(JsonElement shape) =>
        shape.TryGetProperty("required", out var required) ? required.EnumerateArray().Select(r => r.GetString()!) : [];

    // ---- JSON protocol --------------------------------------------------------------------------------------

    /// <summary>What is wrong with a JSON 1.1 request (its X-Amz-Target and body); empty when the model accepts it.</summary>
    public IReadOnlyList<string> CheckJson(string target, JsonElement body)
    {
        var prefix = TargetPrefix + ".";
        if (!target.StartsWith(prefix, StringComparison.Ordinal) || !HasOperation(target[prefix.Length..]))
            return [$"{Service}: unknown X-Amz-Target '{target}'"];
        var operation = target[prefix.Length..];
        var problems = new List<string>();
        if (InputShape(operation) is { } input) CheckJsonNode(operation, body, input, problems);
        return problems;
    }

    private void CheckJsonNode(string path, JsonElement value, string shapeName, List<string> problems)
    {
        var shape = Shape(shapeName);
        var type = shape.GetProperty("type").GetString()!;
        switch (type)
        {
            case "structure":
                if (value.ValueKind != JsonValueKind.Object) { problems.Add($"{path}: must be an object"); return; }
                var members = shape.GetProperty("members").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetProperty("shape").GetString()!);
                foreach (var property in value.EnumerateObject())
                {
                    if (!members.TryGetValue(property.Name, out var member)) { problems.Add($"{path}.{property.Name}: not a member of {shapeName}"); continue; }
                    if (property.Value.ValueKind != JsonValueKind.Null) CheckJsonNode($"{path}.{property.Name}", property.Value, member, problems);
                }
                foreach (var required in Required(shape))
                    if (!value.TryGetProperty(required, out var given) || given.ValueKind == JsonValueKind.Null) problems.Add($"{path}: required {required} is missing");
                break;
            case "list":
                if (value.ValueKind != JsonValueKind.Array) { problems.Add($"{path}: must be an array"); return; }
                var item = shape.GetProperty("member").GetProperty("shape").GetString()!;
                var i = 0;
                foreach (var element in value.EnumerateArray()) CheckJsonNode($"{path}[{i++}]", element, item, problems);
                break;
            case "map":
                if (value.ValueKind != JsonValueKind.Object) { problems.Add($"{path}: must be an object"); return; }
                var mapValue = shape.GetProperty("value").GetProperty("shape").GetString()!;
                foreach (var entry in value.EnumerateObject()) CheckJsonNode($"{path}.{entry.Name}", entry.Value, mapValue, problems);
                break;
            case "string":
                if (value.ValueKind != JsonValueKind.String) { problems.Add($"{path}: must be a string"); return; }
                CheckScalar(path, shape, type, value.GetString()!, problems);
                break;
            case "integer" or "long" or "double" or "float":
                if (value.ValueKind != JsonValueKind.Number) { problems.Add($"{path}: must be a number"); return; }
                CheckScalar(path, shape, type, value.GetRawText(), problems);
                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) problems.Add($"{path}: must be true or false");
                break;
            case "timestamp":
                if (value.ValueKind != JsonValueKind.Number) problems.Add($"{path}: must be epoch seconds");
                break;
            default:
                problems.Add($"{path}: type {type} is not checked");
                break;
        }
    }

    // ---- Answers in the model's output shapes ----------------------------------------------------------------

    /// <summary>
    /// A Query answer with every output member filled, in the service's namespace, as AWS writes it: strings carry
    /// their member's name, so a test sees which element a parser read.
    /// </summary>
    public XElement QueryAnswer(string operation)
    {
        XNamespace ns = $"http://{Metadata.GetProperty("endpointPrefix").GetString()}.amazonaws.com/doc/{ApiVersion}/";
        var response = new XElement(ns + $"{operation}Response");
        var output = _operations.GetProperty(operation).TryGetProperty("output", out var o) ? o : default;
        if (output.ValueKind == JsonValueKind.Object)
        {
            var wrapper = output.TryGetProperty("resultWrapper", out var w) ? w.GetString()! : $"{operation}Result";
            var result = new XElement(ns + wrapper);
            FillXml(result, output.GetProperty("shape").GetString()!, ns, depth: 0);
            response.Add(result);
        }
        response.Add(new XElement(ns + "ResponseMetadata", new XElement(ns + "RequestId", "0f4c1d2e-0000-4000-8000-000000000000")));
        return response;
    }

    private void FillXml(XElement into, string shapeName, XNamespace ns, int depth)
    {
        var shape = Shape(shapeName);
        foreach (var member in shape.GetProperty("members").EnumerateObject())
        {
            var name = member.Value.TryGetProperty("locationName", out var l) ? l.GetString()! : member.Name;
            var memberShape = member.Value.GetProperty("shape").GetString()!;
            if (XmlValue(name, memberShape, ns, depth) is { } element) into.Add(element);
        }
    }

    private XElement? XmlValue(string name, string shapeName, XNamespace ns, int depth)
    {
        var shape = Shape(shapeName);
        switch (shape.GetProperty("type").GetString())
        {
            case "structure":
                if (depth > 5) return null;
                var structure = new XElement(ns + name);
                FillXml(structure, shapeName, ns, depth + 1);
                return structure;
            case "list":
                if (depth > 5) return null;
                var member = shape.GetProperty("member");
                var itemName = member.TryGetProperty("locationName", out var l) ? l.GetString()! : "member";
                return new XElement(ns + name, XmlValue(itemName, member.GetProperty("shape").GetString()!, ns, depth + 1));
            case "map":
                return null;
            default:
                return new XElement(ns + name, Scalar(name, shape, json: false)?.ToString());
        }
    }

    /// <summary>A JSON answer with every output member filled (strings carry their member's name).</summary>
    public JsonObject JsonAnswer(string operation)
    {
        var output = _operations.GetProperty(operation).TryGetProperty("output", out var o) ? o.GetProperty("shape").GetString() : null;
        return output is null ? [] : (JsonObject)JsonValueOf(output, "", depth: 0)!;
    }

    private JsonNode? JsonValueOf(string shapeName, string name, int depth)
    {
        var shape = Shape(shapeName);
        switch (shape.GetProperty("type").GetString())
        {
            case "structure":
                if (depth > 5) return null;
                var structure = new JsonObject();
                var members = shape.GetProperty("members").EnumerateObject().ToList();
                // A union carries exactly one member on the wire; a string one, where there is one, shows most.
                if (shape.TryGetProperty("union", out var union) && union.GetBoolean())
                    members = [members.FirstOrDefault(m => Shape(m.Value.GetProperty("shape").GetString()!).GetProperty("type").GetString() == "string", members[0])];
                foreach (var member in members)
                    if (JsonValueOf(member.Value.GetProperty("shape").GetString()!, member.Name, depth + 1) is { } value) structure[member.Name] = value;
                return structure;
            case "list":
                if (depth > 5) return null;
                return new JsonArray(JsonValueOf(shape.GetProperty("member").GetProperty("shape").GetString()!, name, depth + 1));
            case "map":
                return new JsonObject();
            default:
                return Scalar(name, shape, json: true) is { } scalar ? JsonValue.Create(scalar) : null;
        }
    }

    private static object? Scalar(string name, JsonElement shape, bool json) => shape.GetProperty("type").GetString() switch
    {
        "string" => shape.TryGetProperty("enum", out var values) ? values[0].GetString() : name,
        "integer" or "long" => 7,
        "double" or "float" => 12.5,
        "boolean" => true,
        "timestamp" => json ? 1_795_000_000 : "2026-11-27T01:00:00Z",
        "blob" => json ? "AA==" : "AA==",
        _ => null,
    };
}
