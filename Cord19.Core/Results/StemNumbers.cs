using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cord19.Core.Results;

/// <summary>
/// Reads a corpus file's array of stems as their numbers in <paramref name="stems"/>: a stem already numbered is looked
/// up by its characters and costs no allocation. One instance per read.
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

    // Only reads use this converter; corpus files are written with their stems.
    public override void Write(Utf8JsonWriter writer, int[] value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Corpus files hold stems: write them through ResultStore.SaveCorpusAsync.");
}
