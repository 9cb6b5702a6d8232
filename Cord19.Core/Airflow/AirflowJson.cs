using System.Text.Json;
using System.Text.Json.Nodes;
using static Cord19.Core.Json.LenientJson;

namespace Cord19.Core.Airflow;

/// <summary>
/// Reads Airflow's answers leniently: a field may be missing, null or of a looser type than the spec says
/// (v1 task instances declare dates as "datetime" strings that are not always dates), and one odd field must
/// not hide the rest of a task grid.
/// </summary>
internal static class AirflowJson
{
    public static AirflowServer Server(JsonElement e, AirflowApiVersion api) => new(Str(e, "version") ?? "unknown", api);

    public static AirflowHealth Health(JsonElement e) => new(
        Status(e, "metadatabase"), Status(e, "scheduler"), Status(e, "triggerer"), Status(e, "dag_processor"));

    public static AirflowDag Dag(JsonElement e)
    {
        var id = Str(e, "dag_id") ?? "";
        var tags = Array(e, "tags").Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() : Str(t, "name"))
            .OfType<string>().ToList();
        return new AirflowDag(id, Str(e, "dag_display_name") ?? id, Bool(e, "is_paused") ?? false, Str(e, "description"), tags,
            Bool(e, "has_import_errors") ?? false);
    }

    public static IReadOnlyList<AirflowDag> Dags(JsonElement e) => Array(e, "dags").Select(Dag).ToList();

    public static AirflowDagRun Run(JsonElement e) => new(
        Str(e, "dag_id") ?? "", Str(e, "dag_run_id") ?? "", Str(e, "state") ?? "unknown",
        Date(e, "logical_date"), Date(e, "start_date"), Date(e, "end_date"),
        e.TryGetProperty("conf", out var conf) && conf.ValueKind == JsonValueKind.Object ? JsonNode.Parse(conf.GetRawText())?.AsObject() : null);

    public static IReadOnlyList<AirflowDagRun> Runs(JsonElement e) => Array(e, "dag_runs").Select(Run).ToList();

    public static IReadOnlyList<AirflowTaskInstance> Tasks(JsonElement e) => Array(e, "task_instances").Select(t => new AirflowTaskInstance(
        Str(t, "task_id") ?? "", Str(t, "state"), Int(t, "try_number") ?? 0, Date(t, "start_date"), Date(t, "end_date"), Double(t, "duration"))).ToList();

    public static int Count(JsonElement e, string arrayName) => Array(e, arrayName).Count();

    /// <summary>v1: one string; v2: structured messages or plain strings.</summary>
    public static AirflowLogPage Log(JsonElement e)
    {
        var token = Str(e, "continuation_token");
        if (!e.TryGetProperty("content", out var content)) return new AirflowLogPage([], token);
        var lines = content.ValueKind switch
        {
            JsonValueKind.String => PlainLines(content.GetString() ?? ""),
            JsonValueKind.Array => content.EnumerateArray().SelectMany(StructuredLine).ToList(),
            _ => [],
        };
        return new AirflowLogPage(lines, token);
    }

    private static IEnumerable<AirflowLogLine> StructuredLine(JsonElement message) => message.ValueKind switch
    {
        JsonValueKind.String => PlainLines(message.GetString() ?? ""),
        JsonValueKind.Object => Ungrouped(Str(message, "event") ?? "") is not { } text ? []
            : [new AirflowLogLine(Date(message, "timestamp"), Str(message, "level"), text + Sources(message)), .. ErrorLines(message)],
        _ => [],
    };

    private const string GroupStart = "::group::";

    /// <summary>
    /// Airflow folds a log's groups in its own view ("::group::Log message source details" … "::endgroup::"); here a
    /// group's title is a line and its end (null) is left out.
    /// </summary>
    private static string? Ungrouped(string line) =>
        line == "::endgroup::" ? null : line.StartsWith(GroupStart, StringComparison.Ordinal) ? line[GroupStart.Length..] : line;

    /// <summary>The files Airflow 3 read the log from, which it lists on the source details' group.</summary>
    private static string Sources(JsonElement message) =>
        Array(message, "sources").Select(s => s.ValueKind == JsonValueKind.String ? s.GetString() : null).OfType<string>().ToList() is { Count: > 0 } sources
            ? ": " + string.Join(", ", sources)
            : "";

    /// <summary>
    /// Airflow 3 puts a failure's exception beside its event ("Task failed with exception"), as Airflow's own log view
    /// shows it: each exception's type and message, then its frames; or a traceback some producers render themselves.
    /// </summary>
    private static IEnumerable<AirflowLogLine> ErrorLines(JsonElement message)
    {
        if (!message.TryGetProperty("error_detail", out var detail)) return [];
        if (detail.ValueKind == JsonValueKind.String) return PlainLines(detail.GetString() ?? "");
        return Array(message, "error_detail").SelectMany(error => (IEnumerable<string>)
            [
                $"{Str(error, "exc_type")}: {Str(error, "exc_value")}",
                .. Array(error, "frames").Select(f => $"  File \"{Str(f, "filename")}\", line {Str(f, "lineno")}, in {Str(f, "name")}"),
            ])
            .Select(text => new AirflowLogLine(null, null, text));
    }

    /// <summary>A log's text as lines; Airflow 2's Python list of (host, text) tuples is unwrapped (<see cref="PythonLogRepr"/>).</summary>
    internal static List<AirflowLogLine> PlainLines(string text)
    {
        if (PythonLogRepr.TryRead(text, out var log)) text = log;
        return text.Split('\n').Select(l => Ungrouped(l.TrimEnd('\r'))).OfType<string>().Where(l => l.Length > 0)
            .Select(l => new AirflowLogLine(null, null, l)).ToList();
    }

    /// <summary>The most useful sentence from an error body: v1 problem+json, v2 "detail" string/object/validation list.</summary>
    public static string? ErrorDetail(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var e = doc.RootElement;
            if (e.ValueKind != JsonValueKind.Object) return null;
            if (e.TryGetProperty("detail", out var detail))
            {
                switch (detail.ValueKind)
                {
                    case JsonValueKind.String: return detail.GetString();
                    case JsonValueKind.Array:
                        return string.Join("; ", detail.EnumerateArray().Select(d =>
                        {
                            var where = Array(d, "loc").Select(l => l.ToString()).Where(l => l is not ("body" or "query" or "path"));
                            return $"{string.Join(".", where)}: {Str(d, "msg")}".TrimStart(':', ' ');
                        }));
                    case JsonValueKind.Object:
                        return Str(detail, "reason") ?? Str(detail, "message") ?? detail.GetRawText();
                }
            }
            return Str(e, "title");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Status(JsonElement e, string component) => Str(Object(e, component), "status");
}
