using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cord19.Core.Json;
using Cord19.Core.Settings;

namespace Cord19.Web.Api;

/// <summary>
/// A settings update changes only what it names, on top of the stored settings: `{"clusters": 8}` keeps every other
/// setting. Each named field is read on its own, so a wrong one is refused by its name (unknown, null where a value is
/// needed, or of the wrong type) and nothing is saved; the stored settings' own validation follows.
/// </summary>
public static class SettingsPatch
{
    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>What GET shows but no one sets (e.g. usesShippedSample): ignored, so a GET-edit-PUT round trip works.</summary>
    private static readonly HashSet<string> Derived = typeof(PipelineSettings)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => !p.CanWrite)
        .Select(p => SettingsStore.Json.PropertyNamingPolicy!.ConvertName(p.Name))
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, PropertyInfo> Fields = typeof(PipelineSettings)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite)
        .ToDictionary(p => SettingsStore.Json.PropertyNamingPolicy!.ConvertName(p.Name), StringComparer.OrdinalIgnoreCase);

    /// <summary>The body as a JSON object, or why not with its status: 415 for what is not JSON (the API refuses other charsets than UTF-8 before: Utf8Bodies), 400 for a body that is not an object.</summary>
    public static async Task<(JsonObject? Patch, string? Problem, int Status)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        const int unsupported = StatusCodes.Status415UnsupportedMediaType, bad = StatusCodes.Status400BadRequest;
        var type = request.ContentType is { } t && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(t, out var parsed) ? parsed : null;
        if (type is null || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) && !type.MediaType.Value!.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            return (null, "Send the settings as JSON: Content-Type: application/json.", unsupported);
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        try
        {
            return HandWrittenJson.Parse(Encoding.UTF8.GetString(body.ToArray())) is JsonObject patch
                ? (patch, null, StatusCodes.Status200OK)
                : (null, "The body is JSON but not an object: send {\"field\": value, …}.", bad);
        }
        catch (JsonException ex)
        {
            return (null, $"The body is not valid JSON ({HandWrittenJson.Where(ex)}): send {{\"field\": value, …}}, each field once.", bad);
        }
    }

    /// <summary>The stored settings with the patch's fields applied, or the problems, each naming its field.</summary>
    public static (PipelineSettings? Settings, IReadOnlyList<string> Errors) Apply(PipelineSettings current, JsonObject patch)
    {
        var errors = new List<string>();
        var merged = JsonSerializer.SerializeToNode(current, SettingsStore.Json)!.AsObject();
        foreach (var (name, value) in patch)
        {
            if (Derived.Contains(name)) continue;
            if (!Fields.TryGetValue(name, out var field))
            {
                errors.Add($"'{name}' is not a setting: the settings are {string.Join(", ", Fields.Keys.Order())}.");
                continue;
            }
            var key = SettingsStore.Json.PropertyNamingPolicy!.ConvertName(field.Name);
            if (value is null && Nullability.Create(field).WriteState != NullabilityState.Nullable)
            {
                errors.Add($"'{key}' cannot be null: give a value, or leave it out to keep the current one.");
                continue;
            }
            try
            {
                // Read on its own, so the error names this field.
                JsonSerializer.Deserialize(value?.ToJsonString() ?? "null", field.PropertyType, SettingsStore.Json);
                merged[key] = value?.DeepClone();
            }
            catch (JsonException)
            {
                errors.Add($"'{key}' must be {Describe(field.PropertyType)}, not {value!.ToJsonString()}.");
            }
        }
        return errors.Count > 0 ? (null, errors) : (merged.Deserialize<PipelineSettings>(SettingsStore.Json), []);
    }

    private static string Describe(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) ? "text"
            : t == typeof(int) || t == typeof(long) ? "a whole number"
            : t == typeof(decimal) || t == typeof(double) ? "a number"
            : t == typeof(bool) ? "true or false"
            : t.IsArray ? $"a list of {Describe(t.GetElementType()!)}s"
            : t == typeof(DateOnly) || t == typeof(DateTime) || t == typeof(DateTimeOffset) ? "a date (yyyy-mm-dd)"
            : "a value of the right shape";
    }
}
