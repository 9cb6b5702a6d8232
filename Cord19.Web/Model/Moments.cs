using System.Globalization;
using System.Text.RegularExpressions;

namespace Cord19.Web.Model;

/// <summary>
/// One way to write a moment everywhere in the panel, in the reader's time zone: "2026-11-30 15:37" for when something
/// happened, "15:37:02" for a clock time within the day (log lines, "updated at"). The reader's zone is their browser's
/// (a panel in a container runs in UTC, far from most of its readers); <see cref="Components.Layout.ReaderMoments"/>
/// gives each page the one in force, the server's until the browser has said.
/// </summary>
public sealed partial class Moments(TimeZoneInfo zone)
{
    /// <summary>The browser's IANA time zone, which it writes for the server's first drawing of the next page (ui.js).</summary>
    public const string CookieName = "cord19-tz";

    public static Moments OfServer { get; } = new(TimeZoneInfo.Local);

    public TimeZoneInfo Zone => zone;

    /// <summary>
    /// The moments of a time zone the browser names (an IANA id such as "Europe/Paris"); the server's for an unknown one.
    /// The name comes from a cookie, so only an IANA name's shape is looked up: the lookup opens a file of that name.
    /// </summary>
    public static Moments For(string? timeZoneId) =>
        timeZoneId is { Length: > 0 and <= 64 } && IanaName().IsMatch(timeZoneId)
        && TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var found) ? new(found) : OfServer;

    public string Date(DateTime utc) => Date(AsUtc(utc));
    public string Date(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    public string Clock(DateTime utc) => Clock(AsUtc(utc));
    public string Clock(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A duration as people say it: "1 h 5 min", "2 min 30 s", "4.2 s".</summary>
    public static string Span(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{t.TotalSeconds:0.0} s";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")]
    private static partial Regex IanaName();

    // The state stores UTC; a time read back without its kind is UTC too.
    private static DateTimeOffset AsUtc(DateTime utc) =>
        new(utc.Kind == DateTimeKind.Local ? utc.ToUniversalTime() : DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}
