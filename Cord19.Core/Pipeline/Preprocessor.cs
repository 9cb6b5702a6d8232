using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Cord19.Core.Results;
using Cord19.Core.Settings;

namespace Cord19.Core.Pipeline;

/// <summary>
/// The seed's pre-processing: keep papers with an abstract published in the window, English only, without
/// duplicates; clean, tokenise, drop stop words and stem. Every skipped row is counted under its reason.
/// </summary>
public sealed class Preprocessor(PipelineSettings settings)
{
    public const int MinTokens = 10;

    // Room for what one thread's tokenizer meets in a corpus of 15k-100k abstracts: 49-75k distinct words (measured
    // on the real corpus and the synthetic 100k).
    private const int ExpectedWordsPerThread = 100_000;

    public static class SkipReasons
    {
        public const string NoAbstract = "no abstract";
        public const string NoPublishTime = "publish time missing or unreadable";
        public const string OutsideWindow = "published outside the window";
        public const string NotEnglish = "not English";
        public const string Duplicate = "duplicate";
        public const string TooShort = $"fewer than 10 terms after cleaning";
    }

    /// <param name="Stems">What the documents' token numbers stand for.</param>
    public sealed record Output(CorpusManifest Manifest, StemTable Stems, IReadOnlyList<CorpusDocument> Documents);

    /// <summary>What one row becomes before the in-order checks: a reason to skip it, or its text and stems.</summary>
    private sealed record Prepared(PaperRecord Row, string? Skip, string? Text, UInt128 Fingerprint, int[]? Tokens);

    /// <param name="abstracts">Where the kept abstracts go instead of the documents (which then hold ""), for large corpora.</param>
    public Output Run(IEnumerable<PaperRecord> rows, string source, DateTime now, CancellationToken ct, AbstractSpool? abstracts = null)
    {
        var skipped = new Dictionary<string, long>();
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var seenAbstracts = new HashSet<UInt128>();
        var kept = new List<CorpusDocument>();
        long read = 0;
        // Each thread's tokenizer counts the surface words of what it tokenised (display names only: a duplicate's
        // words count too); the counts are summed at the end, the same whatever thread did which row.
        var stems = new StemTable();
        using var tokenizers = new ThreadLocal<Tokenizer>(() => new Tokenizer(stems, ExpectedWordsPerThread), trackAllValues: true);

        void Skip(string reason) => skipped[reason] = skipped.GetValueOrDefault(reason) + 1;

        // Cleaning, the language test and tokenising are most of the time and independent per row: they run on
        // every core, a chunk at a time, while the next chunks are read. The checks that depend on earlier rows
        // (duplicates) and the kept list follow in file order, so the corpus is the same whatever the number of cores.
        foreach (var chunk in ReadAhead(rows.Chunk(4_096), ct))
        {
            ct.ThrowIfCancellationRequested();
            // Load-balanced: the reader thread shares the cores, so equal halves of a chunk do not finish together.
            // On the real corpus this took the parallel part from 1.7-1.8 s to 1.4-1.5 s on two cores.
            var prepared = Partitioner.Create(chunk, loadBalance: true).AsParallel().AsOrdered().WithCancellation(ct)
                .Select(row => Prepare(row, tokenizers.Value!)).ToArray();
            foreach (var row in prepared)
            {
                read++;
                if (row.Skip is { } reason) { Skip(reason); continue; }
                // cord_uid is not unique in real releases, and the same abstract appears under several ids.
                if (!seenIds.Add(row.Row.Id) || !seenAbstracts.Add(row.Fingerprint)) { Skip(SkipReasons.Duplicate); continue; }
                if (row.Tokens!.Length < MinTokens) { Skip(SkipReasons.TooShort); continue; }
                var paper = row.Row;
                abstracts?.Append(row.Text!);
                kept.Add(new CorpusDocument(paper.Id, paper.Title?.Trim(), paper.Journal?.Trim(), paper.PublishTime?.Trim(),
                    ShortAuthors(paper.Authors), paper.Doi?.Trim(), abstracts is null ? row.Text! : "", row.Tokens));
            }
        }

        var surfaces = new SurfaceForms();
        foreach (var tokenizer in tokenizers.Values) tokenizer.AddSurfacesTo(surfaces);
        var manifest = new CorpusManifest(
            ResultSchema.Version,
            CorpusId: $"{now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}",
            CreatedAt: now,
            Source: source,
            RowsRead: read,
            DocumentsKept: kept.Count,
            Skipped: skipped,
            Parameters: new Dictionary<string, object?>
            {
                ["publishedFrom"] = settings.PublishedFrom?.ToString("yyyy-MM-dd"),
                ["publishedUntil"] = settings.PublishedUntil?.ToString("yyyy-MM-dd"),
                ["language"] = "en (function-word test)",
                ["stemmer"] = "snowball-english",
            },
            SurfaceForms: surfaces.MostFrequent());
        return new Output(manifest, stems, kept);
    }

    /// <summary>The chunks, read on a thread of their own a few chunks ahead (decompressing and parsing CSV is a core's worth of work).</summary>
    private static IEnumerable<PaperRecord[]> ReadAhead(IEnumerable<PaperRecord[]> chunks, CancellationToken ct)
    {
        using var queue = new BlockingCollection<PaperRecord[]>(boundedCapacity: 4);
        Exception? failure = null;
        var reader = Task.Run(() =>
        {
            try
            {
                foreach (var chunk in chunks) queue.Add(chunk, ct);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, ct);
        foreach (var chunk in queue.GetConsumingEnumerable(ct)) yield return chunk;
        reader.Wait(ct);
        // A bad file is reported as the sequential reader would have reported it, with its own exception.
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    private Prepared Prepare(PaperRecord row, Tokenizer tokenizer)
    {
        if (string.IsNullOrWhiteSpace(row.Abstract)) return new(row, SkipReasons.NoAbstract, null, default, null);
        if (settings.PublishedFrom is not null || settings.PublishedUntil is not null)
        {
            var published = PublishDate.Parse(row.PublishTime);
            if (published is null) return new(row, SkipReasons.NoPublishTime, null, default, null);
            if (published < settings.PublishedFrom || published > settings.PublishedUntil) return new(row, SkipReasons.OutsideWindow, null, default, null);
        }
        var text = AbstractCleaner.Clean(row.Abstract);
        // An exact-length array: a list's spare capacity is a quarter of the tokens' memory on a million documents.
        // Tokenised before the language test, whose words are counted during the tokenizer's scan: the words of a row
        // found not English count among the surface forms, as a duplicate's do (on the real corpus one of the 1,500
        // terms shows as "perceptions" instead of "perception").
        var tokens = tokenizer.Tokenize([row.Title, text], out var language);
        if (!language.IsEnglish) return new(row, SkipReasons.NotEnglish, null, default, null);
        return new(row, null, text, Fingerprint(text), tokens);
    }

    /// <summary>"Last, First; Other, Name; …" cut to the first three authors.</summary>
    internal static string? ShortAuthors(string? authors)
    {
        if (string.IsNullOrWhiteSpace(authors)) return null;
        // The first three names, found without splitting the whole list: some papers list hundreds of authors.
        var names = new List<string>(3);
        foreach (var range in authors.AsSpan().Split(';'))
        {
            var name = authors.AsSpan(range).Trim();
            if (name.IsEmpty) continue;
            if (names.Count == 3) return string.Join("; ", names) + " et al.";
            names.Add(name.ToString());
        }
        return string.Join("; ", names);
    }

    /// <summary>The case-blind identity of an abstract, for finding duplicates.</summary>
    /// <remarks>
    /// Hashed from a pooled lower-case copy rather than a lower-case string and its UTF-8 bytes. With the title and
    /// abstract tokenised apart instead of joined, pre-processing 30,000 synthetic rows held in memory took 1.72-1.83 s of
    /// CPU instead of 2.05-2.10 s (best of seven, three of four alternated pairs; the fourth was lost in noise).
    /// </remarks>
    private static UInt128 Fingerprint(string text)
    {
        var lower = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            var chars = lower.AsSpan(0, text.Length);
            text.AsSpan().ToLowerInvariant(chars);
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(MemoryMarshal.AsBytes(chars), hash);
            return BitConverter.ToUInt128(hash);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(lower);
        }
    }
}
