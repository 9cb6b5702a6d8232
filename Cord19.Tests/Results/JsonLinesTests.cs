using System.Text;
using System.Text.Json;
using Cord19.Core.Results;

namespace Cord19.Tests.Results;

public sealed class JsonLinesTests
{
    private sealed record Item(string Name, string[] Tags);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1 << 16)]
    public async Task Every_line_is_read_whatever_the_breaks_and_however_the_stream_hands_out_bytes(int bytesPerRead)
    {
        var huge = new string('x', 3 << 20); // longer than the reader's first buffer
        var text = "\uFEFF{\"name\":\"a\",\"tags\":[]}\r\n\n{\"name\":\"b\u00e9\",\"tags\":[\"t\"]}\n{\"name\":\"" + huge + "\",\"tags\":[]}\n\r\n{\"name\":\"last\",\"tags\":[\"u\"]}";
        await using var stream = new TrickleStream(Encoding.UTF8.GetBytes(text), bytesPerRead);

        var items = await JsonLines.ReadAsync<Item>(stream, "k", ResultStore.Json, default).ToListAsync();

        Assert.Equal(["a", "b\u00e9", huge, "last"], items.Select(i => i.Name));
        Assert.Equal(["u"], items[3].Tags);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Written_items_are_one_line_each_and_read_back_equal_past_the_write_chunk(bool onAllCores)
    {
        var items = Enumerable.Range(0, 5_000).Select(i => new Item($"n{i} caf\u00e9 <b>\u2028\"q\"", [$"t{i}", "\n"])).ToList();
        using var stream = new MemoryStream();

        await JsonLines.WriteAsync(stream, items.ToAsyncEnumerable(), ResultStore.Json, default);

        var text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.Equal(items.Count, text.Count(c => c == '\n'));
        Assert.Equal(JsonSerializer.Serialize(items[7], ResultStore.Json), text.Split('\n')[7]);
        stream.Position = 0;
        var back = await JsonLines.ReadAsync<Item>(stream, "k", ResultStore.Json, default, onAllCores: onAllCores).ToListAsync();
        Assert.Equal(items.Select(i => i.Name), back.Select(i => i.Name));
        Assert.Equal(items.Select(i => i.Tags[0]), back.Select(i => i.Tags[0]));
    }

    [Fact]
    public async Task Writing_stops_when_cancelled_between_two_items()
    {
        using var cancel = new CancellationTokenSource();
        IEnumerable<Item> Items()
        {
            for (var i = 0; ; i++)
            {
                if (i == 10) cancel.Cancel();
                yield return new Item($"n{i}", []);
            }
        }
        using var stream = new MemoryStream();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => JsonLines.WriteAsync(stream, Items().ToAsyncEnumerable(), ResultStore.Json, cancel.Token));
        Assert.Equal(0, stream.Length); // stopped at once, not at the end of a buffered chunk
    }

    [Fact]
    public async Task A_bad_line_is_named_by_its_number()
    {
        await using var stream = new MemoryStream("{\"name\":\"a\",\"tags\":[]}\n\n{ nope\n"u8.ToArray());

        var error = await Assert.ThrowsAsync<ResultFileException>(() => JsonLines.ReadAsync<Item>(stream, "corpus/x/documents.jsonl", ResultStore.Json, default).ToListAsync().AsTask());

        Assert.Equal("corpus/x/documents.jsonl", error.File);
        Assert.StartsWith("line 3 is not valid JSON", error.Problem);
    }

    [Fact]
    public async Task On_all_cores_the_first_bad_line_is_named()
    {
        var lines = Enumerable.Range(1, 2_000).Select(i => i is 700 or 1_900 ? "{ nope" : $"{{\"name\":\"n{i}\",\"tags\":[]}}");
        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines)));

        var error = await Assert.ThrowsAsync<ResultFileException>(() => JsonLines.ReadAsync<Item>(stream, "k", ResultStore.Json, default, onAllCores: true).ToListAsync().AsTask());

        Assert.StartsWith("line 700 is not valid JSON", error.Problem);
    }

    [Fact]
    public void Stem_numbers_give_a_stem_one_number_wherever_it_is_read_escaped_and_long_ones_too()
    {
        var stems = new StemTable();
        var options = new JsonSerializerOptions(ResultStore.Json) { Converters = { new StemNumbers(stems) } };
        var longWord = new string('w', 300);
        var first = JsonSerializer.Deserialize<NumberedItem>($"{{\"name\":\"1\",\"tags\":[\"viru\",\"caf\\u00e9\",\"a\\\"b\",\"{longWord}\",\"na\u00efve\"]}}", options)!;
        var second = JsonSerializer.Deserialize<NumberedItem>($"{{\"name\":\"2\",\"tags\":[\"{longWord}\",\"na\u00efve\",\"viru\",\"caf\u00e9\",\"a\\\"b\",\"viru\"]}}", options)!;

        Assert.Equal(["viru", "caf\u00e9", "a\"b", longWord, "na\u00efve"], first.Tags.Select(t => stems[t]));
        Assert.Equal([3, 4, 0, 1, 2, 0], second.Tags);
        Assert.Equal(5, stems.Count);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<NumberedItem>("{\"name\":\"3\",\"tags\":[1]}", options));
    }

    private sealed record NumberedItem(string Name, int[] Tags);

    /// <summary>Hands out at most a few bytes a read, as a network stream may.</summary>
    private sealed class TrickleStream(byte[] bytes, int most) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(most, buffer.Length)], cancellationToken);
    }
}
