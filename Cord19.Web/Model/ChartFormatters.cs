namespace Cord19.Web.Model;

/// <summary>
/// The charts' JavaScript formatters, by name: an option names one ("cord19:percent") and charts.js puts the function
/// in when it parses the options (<c>cord19Charts.formatters</c>). So the options stay JSON and carry no code, and the
/// pages evaluate nothing: the Content-Security-Policy has no 'unsafe-eval'.
/// </summary>
public static class ChartFormatters
{
    /// <summary>A topic circle's label: its number.</summary>
    public const string TopicNumber = "cord19:topicNumber";

    /// <summary>A topic circle's tooltip: number, label, series and prevalence.</summary>
    public const string TopicTooltip = "cord19:topicTooltip";

    /// <summary>A share as a percentage, to two significant digits.</summary>
    public const string Percent = "cord19:percent";

    /// <summary>A map point's tooltip: its document's card, fetched from the run's results.</summary>
    public static string MapTooltip(string chartId, string runId) => $"cord19:mapTooltip:{chartId}:{Uri.EscapeDataString(runId)}";
}
