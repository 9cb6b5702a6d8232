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
    public static string Clock(DateTimeOffset at) => at.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
