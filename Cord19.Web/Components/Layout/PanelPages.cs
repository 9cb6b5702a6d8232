using MudBlazor;

namespace Cord19.Web.Components.Layout;

/// <summary>The panel's pages, once: the menu and the not-found page both list them.</summary>
public static class PanelPages
{
    public sealed record PanelPage(string Path, string Title, string Icon, string Purpose);

    public static IReadOnlyList<PanelPage> All { get; } =
    [
        new("", "Overview", Icons.Material.Filled.AccountTree, "the seven phases, their live status and log"),
        new("results", "Results", Icons.Material.Filled.TableChart, "a finished run's clusters and topics"),
        new("clusters", "Clusters", Icons.Material.Filled.BubbleChart, "the map of every document"),
        new("topics", "Topics", Icons.Material.Filled.Topic, "the topic model, term by term"),
        new("compare", "Compare runs", Icons.Material.Filled.CompareArrows, "two runs' clusters side by side"),
        new("airflow", "Airflow", Icons.Material.Filled.Air, "the pipeline's DAGs, runs, tasks and logs"),
        new("aws", "AWS", Icons.Material.Filled.Cloud, "the account checklist, live status and orphans"),
        new("costs", "Costs", Icons.Material.Filled.Paid, "live meters, history and estimates"),
        new("settings", "Settings", Icons.Material.Filled.Settings, "target, data, pipeline and budget"),
    ];
}
