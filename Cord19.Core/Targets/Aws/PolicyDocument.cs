using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cord19.Core.Targets.Aws;

/// <summary>An IAM policy document (a role's trust or inline policy, a bucket policy) from its statements.</summary>
internal static class PolicyDocument
{
    public static string Of(params object[] statements) =>
        JsonSerializer.Serialize(new { Version = "2012-10-17", Statement = statements });

    /// <summary>A policy shipped inside Cord19.Core (the operator policy, the role boundary), by its resource's logical name.</summary>
    public static string Embedded(string resourceName)
    {
        using var stream = typeof(PolicyDocument).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"The embedded resource {resourceName} is missing from this build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Whether two documents grant the same: the same statements in any order, whatever their Sids, an action or a
    /// resource written alone or as a one-item list, and lists in any order. IAM keeps a document as it was given.
    /// </summary>
    public static bool SameGrants(string one, string other)
    {
        try
        {
            return Canonical(one).SequenceEqual(Canonical(other), StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            // Not a policy at all: it grants nothing this one does.
            return false;
        }
    }

    private static List<string> Canonical(string document)
    {
        var statements = JsonNode.Parse(document)?["Statement"] switch
        {
            JsonArray many => many.ToList(),
            JsonObject one => [one],
            _ => [],
        };
        return [.. statements.Select(Statement).Order(StringComparer.Ordinal)];
    }

    private static string Statement(JsonNode? statement)
    {
        // One action or resource grants what a list of that one does; a Sid names a statement and grants nothing.
        var grants = new JsonObject((statement as JsonObject ?? []).Where(p => p.Key != "Sid").Select(p => KeyValuePair.Create(p.Key,
            p.Value is JsonValue one && p.Key is "Action" or "NotAction" or "Resource" or "NotResource" ? new JsonArray(one.DeepClone()) : p.Value?.DeepClone())));
        return Normal(grants)!.ToJsonString();
    }

    private static JsonNode? Normal(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Normal(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Normal).OrderBy(n => n?.ToJsonString(), StringComparer.Ordinal)]),
        _ => node?.DeepClone(),
    };
}
