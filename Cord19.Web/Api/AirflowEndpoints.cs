using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cord19.Core.Airflow;

namespace Cord19.Web.Api;

/// <summary>
/// The Airflow operations the panel offers, and nothing else. Typed endpoints rather than a YARP route: a proxy
/// forwards whatever path, query and headers it is given, so keeping it closed would mean re-listing every
/// allowed operation in filters anyway; here each operation is one method that calls the configured Airflow
/// with the server's credentials, answers the same shape for Airflow 2 and 3, and cannot be pointed at another
/// host. Browsers never see Airflow's address, user or token.
/// </summary>
public static partial class AirflowEndpoints
{
    public sealed record AirflowStatusDto(string? Version, string? Api, AirflowHealth? Health, string? Problem);
    public sealed record PausedDto(bool Paused);
    /// <summary>Either a pipeline scope ("subset", "full") or a conf object; a run id is optional.</summary>
    /// <remarks>
    /// Conf is read as an element, not a <see cref="JsonObject"/>: an element refuses a name given twice as the body is read
    /// (HandWrittenJson), where the JsonObject converter kept both for Airflow, or, told to refuse them, threw
    /// ArgumentException (a 500).
    /// </remarks>
    public sealed record TriggerDto(string? Scope, JsonElement? Conf, string? RunId, string? Note);

    // Airflow's own rules: DAG and task ids are KEY_REGEX; run ids the default allowed_run_id_pattern.
    [GeneratedRegex(@"^[\w.-]{1,250}$")] private static partial Regex KeyPattern();
    [GeneratedRegex(@"^[A-Za-z0-9_.~:+-]{1,250}$")] private static partial Regex RunIdPattern();

    public static IEndpointRouteBuilder MapAirflowApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/airflow").WithTags("Airflow");

        api.MapGet("/", async (IAirflowClient airflow, CancellationToken ct) =>
        {
            try
            {
                var server = await airflow.GetServerAsync(ct);
                return Results.Ok(new AirflowStatusDto(server.Version, server.Api.ToString().ToLowerInvariant(), await airflow.GetHealthAsync(ct), null));
            }
            catch (AirflowException ex)
            {
                // The status page answers 200 with the problem: "Airflow is down" is a fact to show, not a failure of this call.
                return Results.Ok(new AirflowStatusDto(null, null, null, ex.Message));
            }
        });

        api.MapGet("/dags", (IAirflowClient airflow, CancellationToken ct) => Call(null, () => airflow.ListDagsAsync(ct)));

        api.MapPut("/dags/{dagId}/paused", (string dagId, PausedDto body, IAirflowClient airflow, CancellationToken ct) =>
            Call(Check(dagId: dagId), () => airflow.SetPausedAsync(dagId, body.Paused, ct)));

        api.MapGet("/dags/{dagId}/runs", (string dagId, int? limit, IAirflowClient airflow, CancellationToken ct) =>
            Call(Check(dagId: dagId), () => airflow.ListRunsAsync(dagId, limit ?? 25, ct)));

        api.MapPost("/dags/{dagId}/runs", async (string dagId, TriggerDto body, IAirflowClient airflow, CancellationToken ct) =>
        {
            if (Check(dagId: dagId, runId: body.RunId is { Length: > 0 } ? body.RunId : null) is { } invalid) return invalid;
            JsonObject conf;
            try
            {
                // The Dags page's rule for a conf, and its words: a JSON object.
                conf = body.Conf is { } given ? PipelineDagRuns.ParseConf(given.GetRawText())
                    : body.Scope is { } scope ? PipelineDagRuns.Conf(scope) : [];
            }
            catch (Exception ex) when (ex is ArgumentException or AirflowException { Problem: AirflowProblem.Invalid })
            {
                return Invalid(ex.Message);
            }
            return await Call(null, () => airflow.TriggerAsync(dagId, new AirflowTrigger(conf, body.RunId, body.Note), ct));
        });

        api.MapGet("/dags/{dagId}/runs/{runId}", (string dagId, string runId, IAirflowClient airflow, CancellationToken ct) =>
            Call(Check(dagId, runId), () => airflow.GetRunAsync(dagId, runId, ct)));

        api.MapGet("/dags/{dagId}/runs/{runId}/tasks", (string dagId, string runId, IAirflowClient airflow, CancellationToken ct) =>
            Call(Check(dagId, runId), () => airflow.ListTasksAsync(dagId, runId, ct)));

        api.MapGet("/dags/{dagId}/runs/{runId}/tasks/{taskId}/logs/{tryNumber:int}",
            (string dagId, string runId, string taskId, int tryNumber, string? token, IAirflowClient airflow, CancellationToken ct) =>
                Call(Check(dagId, runId, taskId) ?? (tryNumber < 0 ? Invalid("The try number must be 0 or more.") : null),
                    () => airflow.GetLogAsync(dagId, runId, taskId, tryNumber, token, ct)));

        api.MapPost("/dags/{dagId}/runs/{runId}/clear-failed", (string dagId, string runId, IAirflowClient airflow, AirflowRunWatcher watcher, CancellationToken ct) =>
            Call(Check(dagId, runId), async () =>
            {
                var cleared = await airflow.ClearFailedTasksAsync(dagId, runId, ct);
                watcher.Refresh(dagId, runId);
                return new { cleared };
            }));

        return app;
    }

    private static IResult? Check(string? dagId = null, string? runId = null, string? taskId = null) =>
        dagId is not null && !KeyPattern().IsMatch(dagId) ? Invalid($"'{dagId}' is not a DAG id (letters, digits, '_', '.', '-'; at most 250).")
        : runId is not null && !RunIdPattern().IsMatch(runId) ? Invalid($"'{runId}' is not a run id (letters, digits and _ . ~ : + -; at most 250).")
        : taskId is not null && !KeyPattern().IsMatch(taskId) ? Invalid($"'{taskId}' is not a task id (letters, digits, '_', '.', '-'; at most 250).")
        : null;

    private static IResult Invalid(string message) =>
        Results.Problem(message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request to the Airflow API");

    /// <summary>The operation's answer, or <paramref name="invalid"/> without calling Airflow; Airflow's refusals are answered by FailureProblems.</summary>
    private static async Task<IResult> Call<T>(IResult? invalid, Func<Task<T>> operation) =>
        invalid ?? Results.Ok(await operation());
}
