using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Cord19.Core.Numerics;

namespace Cord19.Core.Results;

/// <summary>
/// Writes and reads JSON-lines objects as UTF-8, one line a value. Going through strings doubled every byte into
/// UTF-16 and allocated it twice (the line, then its values or its encoding): a million-document corpus file is 2.9 GB.
/// </summary>
internal static class JsonLines
{
    private const int InitialBuffer = 1 << 20, WriteChunk = 1 << 16;

    /// <summary>Writes each item as one line of JSON, in order.</summary>
    /// <param name="lineOffsets">When given, receives the byte offset of every <paramref name="offsetEvery"/>th line (0, n, 2n, …).</param>
    public static async Task WriteAsync<T>(Stream stream, IAsyncEnumerable<T> items, JsonSerializerOptions options, CancellationToken ct,
        List<long>? lineOffsets = null, int offsetEvery = 1)
    {
        var buffer = new ArrayBufferWriter<byte>(2 * WriteChunk);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder });
        long flushed = 0, lines = 0;
        await foreach (var item in items.WithCancellation(ct))
        {
            if (lineOffsets is not null && lines++ % offsetEvery == 0) lineOffsets.Add(flushed + buffer.WrittenCount);
            JsonSerializer.Serialize(json, item, options);
            json.Flush();
            json.Reset();
            buffer.Write("\n"u8);
            if (buffer.WrittenCount < WriteChunk) continue;
            await stream.WriteAsync(buffer.WrittenMemory, ct);
            flushed += buffer.WrittenCount;
            buffer.ResetWrittenCount();
        }
        await stream.WriteAsync(buffer.WrittenMemory, ct);
    }

    /// <param name="only">
    /// When given, the positions (ascending, counted over non-empty lines from 0) of the items wanted: the other lines
    /// are found but not parsed, and reading stops after the last one wanted.
    /// </param>
    /// <param name="onAllCores">
    /// Parses the lines of each read on every core (in file order all the same): only for options whose converters
    /// keep no state, as a run's documents (a million took 4-6 s to read on one core).
    /// </param>
    /// <param name="linesBefore">How many lines of the file precede the stream's start (a range read): for the line numbers of errors.</param>
    /// <exception cref="ResultFileException">A line is not valid JSON for <typeparamref name="T"/>, or is null; the message names the first such line.</exception>
    public static async IAsyncEnumerable<T> ReadAsync<T>(Stream stream, string key, JsonSerializerOptions options,
        [EnumeratorCancellation] CancellationToken ct, int[]? only = null, bool onAllCores = false, int linesBefore = 0)
    {
        var buffer = new byte[InitialBuffer];
        // [start, end) is read and not yet parsed; [start, searched) holds no line break (a stream may hand out a long
        // line a few bytes at a time, and searching it again from its start each time would be quadratic).
        int start = 0, end = 0, searched = 0;
        int lineNumber = linesBefore, position = 0, wanted = 0;
        var lines = new List<(int Start, int Length, int Number)>();
        var atEnd = false;
        while (!atEnd && (only is null || wanted < only.Length))
        {
            if (start > 0)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                searched -= start;
                start = 0;
            }
            if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            var read = await stream.ReadAsync(buffer.AsMemory(end), ct);
            end += read;
            atEnd = read == 0;

            // Every whole line in the buffer (and, at the end of the stream, the last one without a line break).
            while (start < end)
            {
                var rest = buffer.AsSpan(start, end - start);
                var found = rest[(searched - start)..].IndexOf((byte)'\n');
                var length = found < 0 ? -1 : searched - start + found;
                if (length < 0 && !atEnd)
                {
                    searched = end;
                    break;
                }
                if (length < 0) length = rest.Length;
                // The line is [lineStart, lineStart + length) of the buffer, which stays as it is until it is parsed below.
                var lineStart = start;
                start += Math.Min(length + 1, rest.Length);
                searched = start;
                lineNumber++;
                if (lineNumber == 1 && rest[..length].StartsWith("\uFEFF"u8)) (lineStart, length) = (lineStart + 3, length - 3);
                if (buffer.AsSpan(lineStart, length).EndsWith("\r"u8)) length--;
                if (length == 0) continue;
                if (only is null || (wanted < only.Length && only[wanted] == position))
                {
                    lines.Add((lineStart, length, lineNumber));
                    if (only is not null) wanted++;
                }
                position++;
            }
            foreach (var item in ParseAll<T>(buffer, lines, key, options, onAllCores, ct)) yield return item;
            lines.Clear();
        }
    }

    private static T[] ParseAll<T>(byte[] buffer, List<(int Start, int Length, int Number)> lines, string key, JsonSerializerOptions options, bool onAllCores,
        CancellationToken ct)
    {
        var items = new T[lines.Count];
        T ParseLine(int i) => Parse<T>(buffer.AsSpan(lines[i].Start, lines[i].Length), key, lines[i].Number, options);
        // A read's last few lines are not worth starting a parallel loop for (a threshold chosen, not measured).
        if (!onAllCores || lines.Count < 64)
        {
            for (var i = 0; i < lines.Count; i++) items[i] = ParseLine(i);
            return items;
        }
        // Each line's failure is kept, so that the error names the first bad line, whichever core met it first.
        var failures = new ResultFileException?[lines.Count];
        Parallel.For(0, lines.Count, ParallelWork.Options(ct), i =>
        {
            try
            {
                items[i] = ParseLine(i);
            }
            catch (ResultFileException ex)
            {
                failures[i] = ex;
            }
        });
        return failures.FirstOrDefault(f => f is not null) is { } first ? throw first : items;
    }

    private static T Parse<T>(ReadOnlySpan<byte> line, string key, int lineNumber, JsonSerializerOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(line, options)
                ?? throw new ResultFileException(key, $"line {lineNumber} is null.");
        }
        catch (JsonException ex)
        {
            throw new ResultFileException(key, $"line {lineNumber} is not valid JSON ({ex.Message}).", ex);
        }
    }
}
