namespace Cord19.Web.Model;

/// <summary>ECharts' default palette, set explicitly so tables can show the same colour as the chart.</summary>
public static class ChartPalette
{
    public static readonly string[] Colors =
        ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"];

    public static string Of(int index) => Colors[index % Colors.Length];
}
