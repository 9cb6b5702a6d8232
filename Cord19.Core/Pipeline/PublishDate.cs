using System.Globalization;

namespace Cord19.Core.Pipeline;

/// <summary>CORD-19's publish_time: "2020-03-13", sometimes "2020-03", sometimes a bare year such as "2021".</summary>
public static class PublishDate
{
    private static readonly string[] Formats = ["yyyy-MM-dd", "yyyy-MM", "yyyy", "yyyy MMM d", "yyyy MMM", "yyyy/MM/dd"];

    /// <summary>The earliest day the value can mean (a bare year is its 1 January), or null when unreadable.</summary>
    public static DateOnly? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        if (text.Length > 10 && text[4] == '-') text = text[..10]; // "2020-03-13T00:00:00"
        return DateOnly.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
    }
}
