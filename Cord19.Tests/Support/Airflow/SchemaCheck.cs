using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Cord19.Tests.Support.Airflow;

/// <summary>
/// The JSON Schema rules the Airflow specs use (types, nullable in both 3.0 and 3.1 spellings, required,
/// additionalProperties, readOnly in requests, enum, anyOf/oneOf/allOf, date-time), applied to a value.
/// Written here because no JSON Schema validator is served; it checks only what the specs' requests need.
/// </summary>
public static class SchemaCheck
{
    public static IEnumerable<string> Value(IOpenApiSchema? schema, JsonNode? value, string at, bool isRequest = false, int depth = 0)
    {
        if (schema is null || depth > 20) yield break;
        if (value is null)
        {
            if (!Nullable(schema)) yield return $"{at}: null is not allowed";
            yield break;
        }
        if (schema.AllOf is { Count: > 0 } all)
            foreach (var problem in all.SelectMany(s => Value(s, value, at, isRequest, depth + 1))) yield return problem;
        var choices = schema.AnyOf is { Count: > 0 } any ? any : schema.OneOf;
        if (choices is { Count: > 0 } && !choices.Any(s => !Value(s, value, at, isRequest, depth + 1).Any()))
            yield return $"{at}: matches none of the allowed shapes";
        if (schema.Enum is { Count: > 0 } allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
            yield return $"{at}: '{value}' is not one of {string.Join(", ", allowed)}";

        var type = schema.Type ?? 0;
        if (type == 0 || type == JsonSchemaType.Null) yield break;
        switch (value.GetValueKind())
        {
            case JsonValueKind.Object when type.HasFlag(JsonSchemaType.Object):
                var obj = value.AsObject();
                foreach (var required in schema.Required ?? new HashSet<string>())
                    if (!obj.ContainsKey(required)) yield return $"{at}: required property '{required}' is missing";
                foreach (var (name, item) in obj)
                {
                    if (schema.Properties?.TryGetValue(name, out var property) == true)
                    {
                        if (isRequest && property.ReadOnly) yield return $"{at}.{name}: is read-only and must not be sent";
                        foreach (var problem in Value(property, item, $"{at}.{name}", isRequest, depth + 1)) yield return problem;
                    }
                    else if (!schema.AdditionalPropertiesAllowed || schema.AdditionalProperties is { } extra && Value(extra, item, at, isRequest, depth + 1).Any())
                    {
                        yield return $"{at}: property '{name}' is not allowed";
                    }
                }
                break;
            case JsonValueKind.Array when type.HasFlag(JsonSchemaType.Array):
                var items = value.AsArray();
                if (schema.MinItems is { } min && items.Count < min) yield return $"{at}: fewer than {min} items";
                for (var i = 0; i < items.Count; i++)
                    foreach (var problem in Value(schema.Items, items[i], $"{at}[{i}]", isRequest, depth + 1)) yield return problem;
                break;
            case JsonValueKind.String when type.HasFlag(JsonSchemaType.String):
                var text = value.GetValue<string>();
                if (schema.Format == "date-time" && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                    yield return $"{at}: '{text}' is not a date-time";
                break;
            case JsonValueKind.Number when type.HasFlag(JsonSchemaType.Number) || type.HasFlag(JsonSchemaType.Integer) && IsWhole(value):
                if (schema.Minimum is { } minimum && decimal.TryParse(minimum, CultureInfo.InvariantCulture, out var m) && Number(value) < m)
                    yield return $"{at}: {value} is below the minimum {minimum}";
                break;
            case JsonValueKind.True or JsonValueKind.False when type.HasFlag(JsonSchemaType.Boolean):
                break;
            default:
                yield return $"{at}: {value.GetValueKind().ToString().ToLowerInvariant()} where the spec wants {type}";
                break;
        }
    }

    /// <summary>OpenAPI 3.0's "nullable: true" (which Microsoft.OpenApi keeps as an unknown keyword in a 3.1 document) or 3.1's null type.</summary>
    public static bool Nullable(IOpenApiSchema schema) =>
        (schema.Type ?? 0).HasFlag(JsonSchemaType.Null)
        || schema.Type is null && schema.AnyOf is not { Count: > 0 } && schema.OneOf is not { Count: > 0 }
        || schema.UnrecognizedKeywords?.TryGetValue("nullable", out var m) == true && m?.ToString() == "true"
        || schema.AnyOf?.Any(Nullable) == true || schema.OneOf?.Any(Nullable) == true;

    private static bool IsWhole(JsonNode value) => Number(value) % 1 == 0;

    private static decimal Number(JsonNode value) => decimal.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
