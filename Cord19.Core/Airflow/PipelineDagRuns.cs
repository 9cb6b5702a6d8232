using System.Text.Json;
using System.Text.Json.Nodes;
using Cord19.Core.Pipeline;

namespace Cord19.Core.Airflow;

/// <summary>
/// The runs the control panel starts: which DAGs are the pipeline's and the conf each trigger sends. The keys
/// are the DAG files' params (see <see cref="DagFiles"/>), so a preview shows exactly what the tasks will read.
/// </summary>
public static class PipelineDagRuns
{
    public const string Subset = "subset";
    public const string Full = "full";

    public static IReadOnlyList<string> DagIds { get; } = PipelineDefinition.Tasks.Select(t => t.Dag).Distinct().ToList();

    public static JsonObject Conf(string scope) => scope is Subset or Full
        ? new JsonObject { ["scope"] = scope }
        : throw new ArgumentException($"Scope '{scope}' is not known; use '{Subset}' or '{Full}'.", nameof(scope));

    /// <summary>A conf typed by a person: a JSON object, or a message that says where it breaks.</summary>
    public static JsonObject ParseConf(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        JsonNode? node;
        try
        {
            node = Json.HandWrittenJson.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new AirflowException(AirflowProblem.Invalid,
                $"The conf is not valid JSON ({Json.HandWrittenJson.Where(ex)}). Write an object, e.g. {{\"scope\": \"subset\"}}, each name once.", inner: ex);
        }
        return node as JsonObject ?? throw new AirflowException(AirflowProblem.Invalid,
            $"The conf must be a JSON object, not {node?.GetValueKind().ToString().ToLowerInvariant() ?? "null"}. Write an object, e.g. {{\"scope\": \"subset\"}}.");
    }
}
