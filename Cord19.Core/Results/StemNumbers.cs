using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cord19.Core.Results;

/// <summary>
/// A document's tokens in a corpus file: written as the stems their numbers stand for in <paramref name="stems"/>, and
/// read back as numbers, a stem already numbered looked up by its characters at no allocation. One instance per file.
/// </summary>
internal sealed class StemNumbers(StemTable stems) : JsonConverter<int[]>
{
    private const int LongestLookedUp = 256;
    private readonly List<int> _scratch = [];

    public override int[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException($"Expected an array of strings, found {reader.TokenType}.");
        _scratch.Clear();
        Span<char> chars = stackalloc char[LongestLookedUp];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw new JsonException($"Expected a string in the array, found {reader.TokenType}.");
            // Escaped, split or long values go the ordinary way; stems are short plain words.
            if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > LongestLookedUp)
            {
                _scratch.Add(stems.IdOf(reader.GetString()!));
                continue;
            }
            var length = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
            _scratch.Add(stems.IdOf(chars[..length]));
        }
        return [.. _scratch];
    }

    public override void Write(Utf8JsonWriter writer, int[] value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var stem in value) writer.WriteStringValue(stems[stem]);
        writer.WriteEndArray();
    }
}
