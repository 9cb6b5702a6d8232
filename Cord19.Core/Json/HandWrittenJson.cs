using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cord19.Core.Json;

/// <summary>
/// JSON a person wrote: typed into a page or sent to the API. A name given twice in one object is refused as it is read:
/// System.Text.Json otherwise keeps both in a <see cref="JsonObject"/> and throws <see cref="ArgumentException"/> when the
/// object is first enumerated, far from the input (the settings API answered 500).
/// </summary>
public static class HandWrittenJson
{
    /// <summary>For the serializer too (the API's bodies): each name once.</summary>
    public const bool AllowDuplicateNames = false;

    private static readonly JsonDocumentOptions EachNameOnce = new() { AllowDuplicateProperties = AllowDuplicateNames };

    /// <exception cref="JsonException">Not JSON, or a name given twice; <see cref="Where"/> says which, for a message.</exception>
    public static JsonNode? Parse(string text) => JsonNode.Parse(text, documentOptions: EachNameOnce);

    /// <summary>"line 2, position 3", or that a name is given twice (System.Text.Json finds that after reading, without a line).</summary>
    public static string Where(JsonException ex) =>
        ex.LineNumber is { } line ? $"line {line + 1}, position {ex.BytePositionInLine + 1}" : "it gives a name twice in one object";
}
