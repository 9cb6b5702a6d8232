using Vizor.ECharts;

namespace Cord19.Web.Model;

/// <summary>
/// Chart options as the text that Vizor sends to the browser (JSON, its formatters named: <see cref="ChartFormatters"/>),
/// for a prerendered page to carry, so that its chart can be drawn before the circuit is up.
/// </summary>
/// <remarks>
/// Vizor serialises only inside its chart component (protected members), so this derives from it; it is never rendered.
/// The serializer's options are shared by every chart, so the first call also fills their metadata for the others.
/// </remarks>
public sealed class ChartOptionsScript : EChart
{
    public static string Of(ChartOptions options)
    {
        var chart = new ChartOptionsScript { Options = options };
        chart.jsonOpts = chart.CreateSerializerOptions();
        return chart.Serialize(serializeMapOpts: false).Item1;
    }
}
