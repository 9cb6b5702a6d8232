using System.Globalization;
using System.Xml.Linq;

namespace Cord19.Core.Aws;

/// <summary>
/// Lenient reading of Query-protocol answers: elements are found by local name, whatever namespace the service
/// (or an emulator) uses, and missing or empty values read as null rather than failing.
/// </summary>
public static class AwsXml
{
    public static XElement? Child(this XElement? element, string name) =>
        element?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    /// <summary>The first element with this local name anywhere below, e.g. the CreateClusterResult wrapper's Cluster.</summary>
    public static XElement? Find(this XElement? element, string name) =>
        element?.Descendants().FirstOrDefault(e => e.Name.LocalName == name);

    public static string? Text(this XElement? element, string name) =>
        element.Child(name)?.Value is { Length: > 0 } value ? value.Trim() : null;

    /// <summary>Query lists: &lt;Name&gt;&lt;member&gt;…&lt;/member&gt;&lt;/Name&gt; (some services use other item names).</summary>
    public static IEnumerable<XElement> Members(this XElement? element, string name) =>
        element.Child(name)?.Elements() ?? [];

    /// <summary>"true"/"false"; an empty element (&lt;Encrypted/&gt;) or a missing one is null.</summary>
    public static bool? Bool(this XElement? element, string name) =>
        element.Text(name) is { } text && bool.TryParse(text, out var value) ? value : null;

    public static double? Double(this XElement? element, string name) =>
        element.Text(name) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static DateTime? Time(this XElement? element, string name) =>
        element.Text(name) is { } text && DateTime.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value) ? value : null;
}
