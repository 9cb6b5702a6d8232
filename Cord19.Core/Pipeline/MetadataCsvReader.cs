using System.Globalization;
using System.IO.Compression;
using CsvHelper;
using CsvHelper.Configuration;

namespace Cord19.Core.Pipeline;

/// <summary>
/// Streams a CORD-19 metadata.csv (plain or gzip, detected by content) row by row, mapping columns by name,
/// so memory does not grow with the file. Rows that cannot be parsed (broken quoting) are counted, not fatal;
/// a file that is not CSV metadata at all, or a truncated gzip, is refused with its name.
/// </summary>
public sealed class MetadataCsvReader(string path)
{
    public const string BrokenRow = "row not readable as CSV";

    /// <summary>Rows skipped while reading, by reason (the pre-processor counts the rest).</summary>
    public Dictionary<string, long> Skipped { get; } = [];

    public IEnumerable<PaperRecord> Read()
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"Metadata file '{path}' does not exist. Give the path of a CORD-19 metadata.csv or metadata.csv.gz.");

        using var file = File.OpenRead(path);
        var gzip = IsGzip(file);
        var expectedLength = gzip ? GzipLength(file) : 0;
        using var counted = new CountingStream(gzip ? new GZipStream(file, CompressionMode.Decompress) : file);
        using var text = new StreamReader(counted);
        var broken = false;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            BadDataFound = _ => broken = true,
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
        };
        using var csv = new CsvReader(text, configuration);

        MetadataColumns columns;
        try
        {
            if (!csv.Read() || !csv.ReadHeader())
                throw new InvalidDataException($"Metadata file '{path}' is empty. Choose a CORD-19 metadata.csv with a header and rows.");
            columns = MetadataColumns.Map(csv.HeaderRecord ?? [], $"Metadata file '{path}'");
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("gzip", StringComparison.OrdinalIgnoreCase) || ex.InnerException is not null)
        {
            throw new InvalidDataException($"Metadata file '{path}' is not a readable gzip file ({ex.Message}). Download it again.", ex);
        }

        long row = 0;
        while (true)
        {
            bool more;
            try
            {
                more = csv.Read();
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                throw new InvalidDataException($"Metadata file '{path}' ends early after {row:N0} rows ({ex.Message}): it looks truncated. Download it again.", ex);
            }
            if (!more)
            {
                // .NET's GZipStream ends quietly on a cut file; the gzip trailer says how long the content is.
                if (gzip && (uint)counted.BytesRead != expectedLength)
                    throw new InvalidDataException(
                        $"Metadata file '{path}' ends early after {row:N0} rows: it holds {counted.BytesRead:N0} bytes of CSV where its gzip trailer promises {expectedLength:N0}. It looks truncated: download it again.");
                yield break;
            }
            row++;
            if (broken)
            {
                broken = false;
                Skipped[BrokenRow] = Skipped.GetValueOrDefault(BrokenRow) + 1;
                continue;
            }
            yield return columns.Read(csv.GetField, row);
        }
    }

    /// <summary>ISIZE: the last four bytes of a gzip member, the uncompressed length modulo 2^32.</summary>
    private static uint GzipLength(FileStream file)
    {
        Span<byte> size = stackalloc byte[4];
        file.Seek(-4, SeekOrigin.End);
        file.ReadExactly(size);
        file.Position = 0;
        return BitConverter.ToUInt32(size);
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        var read = file.Read(magic);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>Counts the bytes read through it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
