using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Cord19.Core.Results;

/// <summary>
/// Reads a string property that many documents share (a journal, a publish date) as one instance per distinct value
/// for the whole of one read, instead of a copy per document (a 4,992-row sample of CORD-19's 2022 metadata has 2,755
/// distinct journals and 1,614 distinct dates). The table belongs to the options that <see cref="For{T}"/> makes, so it
/// goes when the read ends.
/// </summary>
internal sealed class SharedStrings : JsonConverter<string?>
{
    // Longer values are rarely shared, and a stack buffer of this size needs no allocation.
    private const int MaxLength = 128;
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _seen =
        new ConcurrentDictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    public override bool HandleNull => true;

    /// <summary>Options like <paramref name="options"/> that read <typeparamref name="T"/>'s <paramref name="properties"/> through one new table.</summary>
    public static JsonSerializerOptions For<T>(JsonSerializerOptions options, params string[] properties)
    {
        var shared = new SharedStrings();
        return new JsonSerializerOptions(options)
        {
            TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(info =>
            {
                if (info.Type != typeof(T)) return;
                foreach (var property in info.Properties)
                    if (property.AttributeProvider is MemberInfo member && properties.Contains(member.Name))
                        property.CustomConverter = shared;
            }),
        };
    }

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"Expected a string, not {reader.TokenType}.");
        if (reader.HasValueSequence || reader.ValueSpan.Length > MaxLength) return reader.GetString();
        // UTF-8 never takes fewer bytes than the characters it encodes, escaped or not, so the value fits.
        Span<char> buffer = stackalloc char[MaxLength];
        var value = buffer[..reader.CopyString(buffer)];
        if (_seen.TryGetValue(value, out var known)) return known;
        var text = value.ToString();
        return _seen.Dictionary.GetOrAdd(text, text);
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteStringValue(value);
    }
}
