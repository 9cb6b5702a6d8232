using System.Buffers.Text;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cord19.Core.Results;

/// <summary>
/// A document's topic weights, {"3":0.25,"4":0.75}, read into <see cref="TopicWeightMap"/>: a few pairs in two arrays
/// instead of a Dictionary with its buckets and entries. A million-document run holds a million of them in the panel's
/// memory. Written as the serializer writes a dictionary, so files do not change.
/// </summary>
public sealed class TopicWeightsJson : JsonConverter<IReadOnlyDictionary<int, float>>
{
    public override IReadOnlyDictionary<int, float> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException(NotAnObject);
        Span<int> topics = stackalloc int[16];
        Span<float> weights = stackalloc float[16];
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var topic = !reader.ValueIsEscaped && !reader.HasValueSequence && Utf8Parser.TryParse(reader.ValueSpan, out int parsed, out var used) && used == reader.ValueSpan.Length
                ? parsed
                : int.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out parsed)
                    ? parsed
                    : throw new JsonException($"Topic weights are keyed by topic ids, not '{reader.GetString()}'.");
            reader.Read();
            // A number as such; a string ("NaN", "0.5") as the options allow, through the serializer's own float converter.
            var weight = reader.TokenType == JsonTokenType.Number ? reader.GetSingle() : JsonSerializer.Deserialize<float>(ref reader, options);
            if (count == topics.Length)
            {
                topics = Doubled(topics);
                weights = Doubled(weights);
            }
            topics[count] = topic;
            weights[count] = weight;
            count++;
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException(NotAnObject);
        return new TopicWeightMap(topics[..count].ToArray(), weights[..count].ToArray());
    }

    private const string NotAnObject = "Topic weights must be an object of topic ids to weights.";

    private static T[] Doubled<T>(Span<T> values) => [.. values, .. new T[values.Length]];

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<int, float> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (topic, weight) in value)
        {
            writer.WritePropertyName(topic.ToString(CultureInfo.InvariantCulture));
            JsonSerializer.Serialize(writer, weight, options);
        }
        writer.WriteEndObject();
    }
}

/// <summary>A handful of topic weights, looked up by scanning: a document carries its cluster's few topics.</summary>
public sealed class TopicWeightMap(int[] topics, float[] weights) : IReadOnlyDictionary<int, float>
{
    public float this[int key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No weight for topic {key}.");
    public IEnumerable<int> Keys => topics;
    public IEnumerable<float> Values => weights;
    public int Count => topics.Length;
    public bool ContainsKey(int key) => Array.IndexOf(topics, key) >= 0;

    public bool TryGetValue(int key, [MaybeNullWhen(false)] out float value)
    {
        var at = Array.IndexOf(topics, key);
        value = at >= 0 ? weights[at] : default;
        return at >= 0;
    }

    public IEnumerator<KeyValuePair<int, float>> GetEnumerator()
    {
        for (var i = 0; i < topics.Length; i++) yield return new KeyValuePair<int, float>(topics[i], weights[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
