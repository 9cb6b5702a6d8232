using System.Text.Json;
using Cord19.Core.Results;

namespace Cord19.Tests.Results;

public sealed class TopicWeightsJsonTests
{
    private static readonly DocumentResult Document = new("abc", "T", null, "2020", null, null, 1, 0.5f, -1.25f,
        new Dictionary<int, float> { [3] = 0.25f, [12] = 0.7f, [-1] = float.NaN, [40] = 1e-7f });

    [Fact]
    public void A_document_is_written_as_the_serializer_writes_a_dictionary()
    {
        // The same document with the weights written by the serializer's own dictionary converter.
        var plain = JsonSerializer.Serialize(new { Weights = (IDictionary<int, float>)new Dictionary<int, float>(Document.TopicWeights) }, ResultStore.Json);

        var written = JsonSerializer.Serialize(Document, ResultStore.Json);

        Assert.Contains(plain[1..^1].Replace("\"weights\"", "\"topicWeights\""), written);
    }

    [Fact]
    public void Weights_read_back_as_written_in_order_and_absent_topics_are_absent()
    {
        var back = JsonSerializer.Deserialize<DocumentResult>(JsonSerializer.Serialize(Document, ResultStore.Json), ResultStore.Json)!;

        Assert.Equal(Document.TopicWeights, back.TopicWeights);
        Assert.Equal(0.7f, back.TopicWeights[12]);
        Assert.False(back.TopicWeights.ContainsKey(4));
        Assert.Equal(0f, back.TopicWeights.GetValueOrDefault(4));
        Assert.Throws<KeyNotFoundException>(() => back.TopicWeights[4]);
    }

    [Theory]
    [InlineData("""{"\u0033":0.5}""", 3, 0.5f)]    // an escaped key
    [InlineData("""{"3":"0.5"}""", 3, 0.5f)]       // a number in a string, as the options allow
    [InlineData("""{"-2":1}""", -2, 1f)]
    public void Keys_and_weights_are_read_as_the_options_allow(string weights, int topic, float weight)
    {
        var back = JsonSerializer.Deserialize<DocumentResult>(
            $$"""{"id":"a","cluster":0,"x":0,"y":0,"topicWeights":{{weights}}}""", ResultStore.Json)!;

        Assert.Equal(weight, Assert.Single(back.TopicWeights, w => w.Key == topic).Value);
    }

    [Fact]
    public void Many_topics_read_back_whole()
    {
        var many = Enumerable.Range(0, 40).ToDictionary(t => t, t => t / 40f);
        var back = JsonSerializer.Deserialize<DocumentResult>(JsonSerializer.Serialize(Document with { TopicWeights = many }, ResultStore.Json), ResultStore.Json)!;

        Assert.Equal(many, back.TopicWeights);
    }

    [Theory]
    [InlineData("""[0.5]""")]
    [InlineData("""{"three":0.5}""")]
    public void Weights_that_are_not_topic_ids_to_numbers_are_a_json_error(string weights) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<DocumentResult>(
            $$"""{"id":"a","cluster":0,"x":0,"y":0,"topicWeights":{{weights}}}""", ResultStore.Json));
}
