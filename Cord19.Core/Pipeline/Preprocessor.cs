using System.Security.Cryptography;
using System.Text;
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

    public static class SkipReasons
    {
        public const string NoAbstract = "no abstract";
        public const string NoPublishTime = "publish time missing or unreadable";
        public const string OutsideWindow = "published outside the window";
        public const string NotEnglish = "not English";
        public const string Duplicate = "duplicate";
        public const string TooShort = $"fewer than 10 terms after cleaning";
    }

    public sealed record Output(CorpusManifest Manifest, IReadOnlyList<CorpusDocument> Documents);

    public Output Run(IEnumerable<PaperRecord> rows, string source, DateTime now, CancellationToken ct)
    {
        var tokenizer = new Tokenizer();
        var skipped = new Dictionary<string, long>();
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var seenAbstracts = new HashSet<UInt128>();
        var kept = new List<CorpusDocument>();
        long read = 0;

        void Skip(string reason) => skipped[reason] = skipped.GetValueOrDefault(reason) + 1;

        foreach (var row in rows)
        {
            if ((++read & 1023) == 0) ct.ThrowIfCancellationRequested();

            if (string.IsNullOrWhiteSpace(row.Abstract)) { Skip(SkipReasons.NoAbstract); continue; }

            if (settings.PublishedFrom is not null || settings.PublishedUntil is not null)
            {
                var published = PublishDate.Parse(row.PublishTime);
                if (published is null) { Skip(SkipReasons.NoPublishTime); continue; }
                if (published < settings.PublishedFrom || published > settings.PublishedUntil) { Skip(SkipReasons.OutsideWindow); continue; }
            }

            var text = AbstractCleaner.Clean(row.Abstract);
            if (!LanguageGuess.IsEnglish(text)) { Skip(SkipReasons.NotEnglish); continue; }

            // cord_uid is not unique in real releases, and the same abstract appears under several ids.
            if (!seenIds.Add(row.Id) || !seenAbstracts.Add(Fingerprint(text))) { Skip(SkipReasons.Duplicate); continue; }

            var tokens = tokenizer.Tokenize((row.Title ?? "") + ". " + text);
            if (tokens.Count < MinTokens) { Skip(SkipReasons.TooShort); continue; }

            kept.Add(new CorpusDocument(row.Id, row.Title?.Trim(), row.Journal?.Trim(), row.PublishTime?.Trim(),
                ShortAuthors(row.Authors), row.Doi?.Trim(), text, tokens));
        }

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
            SurfaceForms: tokenizer.Surfaces.MostFrequent());
        return new Output(manifest, kept);
    }

    /// <summary>"Last, First; Other, Name; …" cut to the first three authors.</summary>
    internal static string? ShortAuthors(string? authors)
    {
        if (string.IsNullOrWhiteSpace(authors)) return null;
        var all = authors.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return all.Length <= 3 ? string.Join("; ", all) : string.Join("; ", all.Take(3)) + " et al.";
    }

    private static UInt128 Fingerprint(string text)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToLowerInvariant()), hash);
        return BitConverter.ToUInt128(hash);
    }
}
