using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Cord19.Tests.Support.Airflow;

/// <summary>
/// Answers of a schema's shape, for feeding the client what Airflow may send: <see cref="Shape.Full"/> fills every
/// property (the spec's example where it gives one), <see cref="Shape.Sparse"/> only the required ones, with null
/// wherever null is allowed. A string property holds its own name, so a test can tell which field a model read.
/// </summary>
public static class SchemaSample
{
    public enum Shape { Full, Sparse }

    // OpenAPI 3.0 documents keep their single "example" here.
#pragma warning disable CS0618
    private static JsonNode? LegacyExample(IOpenApiSchema schema) => schema.Example;
#pragma warning restore CS0618

    public static JsonNode? Of(IOpenApiSchema? schema, Shape shape, string name = "value", int depth = 0)
    {
        if (schema is null || depth > 8) return null;
        if (shape == Shape.Full && (schema.Examples?.FirstOrDefault() ?? LegacyExample(schema)) is { } example) return example.DeepClone();
        if (schema.AllOf is { Count: > 0 } all)
        {
            var merged = new JsonObject();
            foreach (var part in all)
                if (Of(part, shape, name, depth + 1) is JsonObject o)
                    foreach (var (k, v) in o) merged[k] = v?.DeepClone();
            return merged;
        }
        if (shape == Shape.Sparse && depth > 0 && SchemaCheck.Nullable(schema) && schema.Type is not null) return null;
        var choices = schema.AnyOf is { Count: > 0 } any ? any : schema.OneOf;
        if (choices is { Count: > 0 })
        {
            var choice = choices.FirstOrDefault(c => c.Type is { } t && t != JsonSchemaType.Null) ?? choices[0];
            return shape == Shape.Sparse && choices.Any(SchemaCheck.Nullable) ? null : Of(choice, shape, name, depth + 1);
        }
        if (schema.Enum is { Count: > 0 } values) return values.First(v => v is not null)?.DeepClone();

        var type = (schema.Type ?? JsonSchemaType.Object) & ~JsonSchemaType.Null;
        if (type.HasFlag(JsonSchemaType.Object))
        {
            var result = new JsonObject();
            foreach (var (property, propertySchema) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
                if (shape == Shape.Full || schema.Required?.Contains(property) == true)
                    result[property] = Of(propertySchema, shape, property, depth + 1);
            return result;
        }
        if (type.HasFlag(JsonSchemaType.Array)) return new JsonArray(Of(schema.Items, shape, name, depth + 1));
        if (type.HasFlag(JsonSchemaType.Integer)) return JsonValue.Create(1);
        if (type.HasFlag(JsonSchemaType.Number)) return JsonValue.Create(1.5);
        if (type.HasFlag(JsonSchemaType.Boolean)) return JsonValue.Create(true);
        return JsonValue.Create(schema.Format switch
        {
            "date-time" or "datetime" => "2024-05-01T12:30:00+00:00",
            "uuid" => "0b1c2d3e-0000-4000-8000-000000000001",
            _ => name,
        });
    }
}
