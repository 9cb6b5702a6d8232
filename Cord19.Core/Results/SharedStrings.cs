using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cord19.Core.Results;

/// <summary>
/// Reads an array of strings keeping one string per distinct value across everything it reads: a corpus's tokens are
/// a few hundred thousand stems used 128 million times at a million documents. A value already seen is looked up by
/// its characters and costs no allocation. One instance per read, on one thread.
/// </summary>
internal sealed class SharedStrings : JsonConverter<string[]>
{
    private const int LongestLookedUp = 256;
    private readonly Dictionary<string, string> _kept = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _byChars;
    private readonly List<string> _scratch = [];

    public SharedStrings() => _byChars = _kept.GetAlternateLookup<ReadOnlySpan<char>>();

    public override string[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
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
                _scratch.Add(Keep(reader.GetString()!));
                continue;
            }
            var length = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
            _scratch.Add(_byChars.TryGetValue(chars[..length], out var kept) ? kept : Keep(new string(chars[..length])));
        }
        return [.. _scratch];
    }

    private string Keep(string value)
    {
        ref var kept = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_kept, value, out _);
        return kept ??= value;
    }

    // Only reads use this converter; without the options, the array is written the ordinary way instead of coming
    // back here.
    public override void Write(Utf8JsonWriter writer, string[] value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value);
}
