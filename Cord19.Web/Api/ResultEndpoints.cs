using Cord19.Core.Results;
using Cord19.Web.Model;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cord19.Web.Api;

public static class ResultEndpoints
{
    public sealed record DocumentCardDto(string? Title, string? Journal, string? PublishTime, string? Authors);

    public sealed record RunSummaryDto(RunManifest Manifest, IReadOnlyList<ClusterResult> Clusters, IReadOnlyList<TopicResult> Topics);

    public static IEndpointRouteBuilder MapResultApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/results").WithTags("Results");

        api.MapGet("/", (IResultStore store, CancellationToken ct) => store.ListRunsAsync(ct));

        api.MapGet("/{runId}", async Task<Results<Ok<RunSummaryDto>, ProblemHttpResult>> (string runId, RunCache runs) =>
        {
            // A missing or unreadable result (ResultFileException) is answered 404 by FailureProblems. The summary alone:
            // the answer has no documents, and reading a 100,000-document run's took 0.7-1.0 s.
            var run = await runs.GetSummaryAsync(runId);
            return TypedResults.Ok(new RunSummaryDto(run.Manifest, run.Clusters, run.Topics));
        });
        // The document map's points, fetched by the chart itself in one binary response (DocumentMapPayload.ToBinary).
        api.MapGet("/{runId}/map", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (string runId, RunCache runs, int? limit) =>
        {
            if (limit is < 1)
                return TypedResults.Problem($"limit must be a positive number of points, not {limit}.", statusCode: StatusCodes.Status400BadRequest);
            var shown = limit ?? DocumentMapPayload.DefaultLimit;
            var points = await runs.GetMapPayloadAsync(runId, shown);
            return points.Problems.Count > 0
                ? TypedResults.Problem(string.Join(" ", points.Problems), statusCode: StatusCodes.Status422UnprocessableEntity, title: "The run cannot be drawn")
                : TypedResults.Bytes(await runs.GetMapBinaryAsync(runId, shown), "application/octet-stream");
        });
        // What the map's tooltip shows of one point, fetched when the pointer rests on it: its one line of the run.
        api.MapGet("/{runId}/documents/{index:int}", async Task<Results<Ok<DocumentCardDto>, ProblemHttpResult>> (string runId, int index, RunCache runs) =>
        {
            var count = (await runs.GetSummaryAsync(runId)).Manifest.Documents;
            if (index < 0 || index >= count || await runs.GetDocumentAsync(runId, index) is not { } d)
                return TypedResults.Problem($"Run {runId} has documents 0 to {count - 1}, not {index}.", statusCode: StatusCodes.Status404NotFound);
            return TypedResults.Ok(new DocumentCardDto(d.Title, d.Journal, d.PublishTime, d.Authors));
        });
        return app;
    }
}
