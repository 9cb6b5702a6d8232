using System.Globalization;

namespace Cord19.Web.Model;

/// <summary>
/// One way to write a moment everywhere in the panel, in this machine's time zone: "2026-11-30 15:37" for when something
/// happened, "15:37:02" for a clock time within the day (log lines, "updated at").
/// </summary>
public static class Moments
{
    public static string Date(DateTime utc) => utc.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    public static string Date(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    public static string Clock(DateTime utc) => utc.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
    /// <summary>A duration as people say it: "1 h 5 min", "2 min 30 s", "4.2 s".</summary>
    public static string Span(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{t.TotalSeconds:0.0} s";

    public static string Clock(DateTimeOffset at) => at.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
