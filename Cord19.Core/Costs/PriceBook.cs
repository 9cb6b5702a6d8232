using System.Text.Json;

namespace Cord19.Core.Costs;

/// <summary>One price, with where it came from and when it was read.</summary>
public sealed record Price(string Key, decimal Usd, string Unit, DateOnly AsOf, string Source);

/// <summary>
/// The prices the meters use: a versioned data file shipped with the app (prices-us-east-2.json), which
/// Settings may replace with an edited copy. Every price records its source and date.
/// </summary>
public sealed class PriceBook
{
    public const int SchemaVersion = 1;
    public const string DefaultFileName = "prices-us-east-2.json";

    /// <summary>Known keys start with one of these; anything else is a typo.</summary>
    public static readonly string[] KeyPrefixes = ["ec2.spot.", "ec2.ondemand.", "redshift.", "ebs.", "ipv4.", "s3."];

    /// <summary>Hourly rates above this are certainly a typo (the largest EC2 instances cost about $100/h).</summary>
    private const decimal AbsurdHourly = 200m;

    /// <summary>Prices older than this are still used, but flagged as stale.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(365);

    private readonly Dictionary<string, Price> _prices;

    private PriceBook(string region, IEnumerable<Price> prices, string? problem = null)
    {
        Region = region;
        _prices = prices.ToDictionary(p => p.Key, StringComparer.Ordinal);
        Problem = problem;
    }

    /// <summary>
    /// In place of an edited copy that cannot be read (saved before Settings checked it, or by a version with another
    /// schema): a book with no prices whose every miss gives <paramref name="why"/>. The meter still prices what it reads
    /// live, and the lifetime still guards; throwing instead left the deployment with no limit at all.
    /// </summary>
    public static PriceBook Unreadable(PriceBookException why) => new(Default.Region, [], why.Message);

    public string Region { get; }
    public IReadOnlyCollection<Price> All => _prices.Values;

    /// <summary>Why the book has no prices (<see cref="Unreadable"/>); null for a book that was read.</summary>
    public string? Problem { get; }

    public Price? Find(string key) => _prices.GetValueOrDefault(key);

    /// <summary>Why <paramref name="key"/> has no price, and the fix.</summary>
    public string Missing(string key) => Problem ?? $"No price for '{key}' in the price book: add it in Settings.";

    /// <summary>How figures for another region than the book's are made exact (the meter and the estimate both say it).</summary>
    public static string RatesFix(string region) => $"For exact figures, read {region}'s prices from AWS in Settings → Price book, and save.";

    /// <summary>The prices older than <see cref="StaleAfter"/> on <paramref name="today"/>.</summary>
    public IEnumerable<Price> Stale(DateOnly today) => _prices.Values.Where(p => today.DayNumber - p.AsOf.DayNumber > StaleAfter.TotalDays);

    public static PriceBook Default { get; } = Parse(ReadDefaultJson(), DefaultFileName);

    public static string ReadDefaultJson()
    {
        using var stream = typeof(PriceBook).Assembly.GetManifestResourceStream($"Cord19.Core.Costs.{DefaultFileName}")
            ?? throw new InvalidOperationException($"{DefaultFileName} is not embedded in Cord19.Core.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Reads a price file; throws <see cref="PriceBookException"/> naming the file, the entry and the fix.</summary>
    public static PriceBook Parse(string json, string source)
    {
        PriceFile? file;
        try
        {
            file = JsonSerializer.Deserialize<PriceFile>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web) { AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new PriceBookException($"{source}: not valid JSON at line {ex.LineNumber + 1} ({ex.Message.Split('.')[0]}). Fix the syntax or restore the default prices.");
        }
        if (file?.Prices is null || file.Prices.Count == 0)
            throw new PriceBookException($"{source}: has no \"prices\" list. Restore the default prices.");
        if (file.SchemaVersion != SchemaVersion)
            throw new PriceBookException($"{source}: schemaVersion {file.SchemaVersion} is not {SchemaVersion}.");

        var prices = new List<Price>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < file.Prices.Count; i++)
        {
            var entry = file.Prices[i];
            var where = $"{source}: price {i + 1} ('{entry.Key}')";
            if (string.IsNullOrWhiteSpace(entry.Key) || !KeyPrefixes.Any(p => entry.Key.StartsWith(p, StringComparison.Ordinal)))
                throw new PriceBookException($"{where} has an unknown key: keys start with {string.Join(", ", KeyPrefixes)}.");
            if (!seen.Add(entry.Key))
                throw new PriceBookException($"{where} appears twice: keep one.");
            if (entry.Usd is not { } usd || usd < 0)
                throw new PriceBookException($"{where} needs a \"usd\" of zero or more.");
            if (entry.Unit == "hour" && usd > AbsurdHourly)
                throw new PriceBookException($"{where} costs ${usd}/hour, which no resource here does: check the decimal point.");
            if (entry.AsOf is not { } asOf)
                throw new PriceBookException($"{where} needs an \"asOf\" date (yyyy-MM-dd) saying when the price was read.");
            if (string.IsNullOrWhiteSpace(entry.Source))
                throw new PriceBookException($"{where} needs a \"source\" saying where the price comes from.");
            prices.Add(new Price(entry.Key, usd, entry.Unit ?? "", asOf, entry.Source));
        }
        return new PriceBook(file.Region ?? "unknown", prices);
    }

    /// <summary>
    /// A price file for <paramref name="region"/> as <see cref="Parse"/> reads it, laid out as the shipped one is (a price
    /// a line), so that the Settings page's editor shows one price a line.
    /// </summary>
    public static string Write(string region, IEnumerable<Price> prices)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var lines = prices.Select(p => "    " + JsonSerializer.Serialize(new PriceEntry(p.Key, p.Usd, p.Unit, p.AsOf, p.Source), options));
        return "{\n" +
            $"  \"schemaVersion\": {SchemaVersion},\n" +
            $"  \"region\": {JsonSerializer.Serialize(region, options)},\n" +
            "  \"currency\": \"USD\",\n" +
            "  \"prices\": [\n" + string.Join(",\n", lines) + "\n  ]\n}\n";
    }

    private sealed record PriceFile(int SchemaVersion, string? Region, List<PriceEntry>? Prices);
    private sealed record PriceEntry(string Key, decimal? Usd, string? Unit, DateOnly? AsOf, string Source);
}

public sealed class PriceBookException(string message) : Cord19Exception(message)
{
    public override FailureKind Failure => FailureKind.Unusable;
    public override string Title => "The price book cannot be read";
}
