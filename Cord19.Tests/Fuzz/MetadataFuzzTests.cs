using System.IO.Compression;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Local;
using Cord19.Tests.Support;

namespace Cord19.Tests.Fuzz;

/// <summary>Damaged metadata files, made from the real sample: loading either works or fails with a clear InvalidDataException.</summary>
public sealed class MetadataFuzzTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Damaged_metadata_files_fail_with_a_clear_message_or_load()
    {
        var original = await ReadHeadAsync(200);
        var random = new Random(7);
        var outcomes = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            var bytes = Mutate(original, random, i % 5);
            var path = Path.Combine(_dir.Path, $"mutant-{i}.csv");
            await File.WriteAllBytesAsync(path, bytes);
            var lake = new DuckDbDataLake(Path.Combine(_dir.Path, $"lake-{i}.duckdb"));
            try
            {
                var registration = await lake.RegisterAsync(path, default);
                var papers = await lake.ReadPapersAsync(default).ToListAsync();
                Assert.Equal(registration.Rows, papers.Count);
                outcomes.Add("loaded");
            }
            catch (InvalidDataException ex)
            {
                Assert.Contains(path, ex.Message);
                outcomes.Add("refused");
            }
        }
        Assert.Contains("refused", outcomes);
    }

    [Fact]
    public async Task A_truncated_gzip_file_is_refused_with_its_name()
    {
        var full = await File.ReadAllBytesAsync(DataDirectory.ShippedSample);
        var path = Path.Combine(_dir.Path, "truncated.csv.gz");
        await File.WriteAllBytesAsync(path, full[..(full.Length / 3)]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new DuckDbDataLake(Path.Combine(_dir.Path, "t.duckdb")).RegisterAsync(path, default));
        Assert.Contains("truncated.csv.gz", error.Message);
    }

    private static byte[] Mutate(byte[] data, Random random, int kind)
    {
        var copy = data.ToArray();
        switch (kind)
        {
            case 0: // stray quotes
                for (var i = 0; i < 5; i++) copy[random.Next(copy.Length)] = (byte)'"';
                return copy;
            case 1: // invalid UTF-8
                for (var i = 0; i < 20; i++) copy[random.Next(copy.Length)] = (byte)(0x80 + random.Next(0x40));
                return copy;
            case 2: // cut anywhere
                return copy[..random.Next(1, copy.Length)];
            case 3: // NUL bytes and control characters
                for (var i = 0; i < 10; i++) copy[random.Next(copy.Length)] = (byte)random.Next(0, 9);
                return copy;
            default: // lines shuffled: the header may end up anywhere
                var lines = System.Text.Encoding.UTF8.GetString(copy).Split('\n');
                random.Shuffle(lines);
                return System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines));
        }
    }

    private static async Task<byte[]> ReadHeadAsync(int rows)
    {
        await using var gz = new GZipStream(File.OpenRead(DataDirectory.ShippedSample), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var text = new System.Text.StringBuilder();
        for (var i = 0; i <= rows && await reader.ReadLineAsync() is { } line; i++) text.Append(line).Append('\n');
        return System.Text.Encoding.UTF8.GetBytes(text.ToString());
    }

    public void Dispose() => _dir.Dispose();
}
