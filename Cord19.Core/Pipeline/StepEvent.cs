using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cord19.Core.Pipeline;

/// <summary>
/// One line of what cord19-pipeline reports to the control panel that started it (<c>--progress json</c>): a step
/// started, a log line, or a step done. One JSON object a line, so a line is never half another's.
/// </summary>
public sealed record StepEvent(StepEventKind Event, string Step, string? Message = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string ToLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>The event on <paramref name="line"/>, or null when the line is not one (the runtime's own output).</summary>
    public static StepEvent? Parse(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            return JsonSerializer.Deserialize<StepEvent>(line, Json) is { Step: not null } parsed ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public enum StepEventKind
{
    Started,
    Log,
    Done,
}
