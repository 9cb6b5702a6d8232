using Cord19.Core.Results;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cord19.Web.Api;

public static class ResultEndpoints
{
    public sealed record RunSummaryDto(RunManifest Manifest, IReadOnlyList<ClusterResult> Clusters, IReadOnlyList<TopicResult> Topics);

    public static IEndpointRouteBuilder MapResultApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/results").WithTags("Results");

        api.MapGet("/", (IResultStore store, CancellationToken ct) => store.ListRunsAsync(ct));

        api.MapGet("/{runId}", async Task<Results<Ok<RunSummaryDto>, ProblemHttpResult>> (string runId, IResultStore store, CancellationToken ct) =>
        {
            try
            {
                var run = await store.LoadRunAsync(runId, ct);
                return TypedResults.Ok(new RunSummaryDto(run.Manifest, run.Clusters, run.Topics));
            }
            catch (ResultFileException ex)
            {
                return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "Result not available");
            }
        });
        return app;
    }
}
