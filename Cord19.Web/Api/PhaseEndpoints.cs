using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cord19.Web.Api;

/// <summary>The phase actions of the Overview page, for scripts and tests.</summary>
public static class PhaseEndpoints
{
    public sealed record PhaseDto(
        int Number, string Name, string Description, string Status, bool CanStart, string? WhyNot,
        Guid? RunId, DateTime? RequestedAt, DateTime? StartedAt, DateTime? EndedAt, string? Reason);

    public sealed record DeploymentDto(DeploymentView? Deployment, IReadOnlyList<PhaseDto> Phases, IReadOnlyList<ResourceView> Resources);

    public static IEndpointRouteBuilder MapPhaseApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Phases");

        api.MapGet("/phases", async (DeploymentStore store, CancellationToken ct) =>
            (await store.GetSnapshotAsync(ct)).Phases.Select(ToDto));

        api.MapGet("/deployment", async (DeploymentStore store, CancellationToken ct) =>
        {
            var s = await store.GetSnapshotAsync(ct);
            return new DeploymentDto(s.Deployment, s.Phases.Select(ToDto).ToList(), s.Resources);
        });

        api.MapPost("/phases/{number}/run", RunAsync);

        api.MapGet("/runs/{runId:guid}/log", async Task<Results<Ok<IReadOnlyList<LogLine>>, ProblemHttpResult>> (Guid runId, DeploymentStore store, CancellationToken ct) =>
            await store.FindRunAsync(runId, ct) is null
                ? TypedResults.Problem($"There is no phase run {runId}.", statusCode: StatusCodes.Status404NotFound)
                : TypedResults.Ok(await store.GetLogAsync(runId, ct)));

        return app;
    }

    private static async Task<Results<Accepted<PhaseDto>, ProblemHttpResult>> RunAsync(
        string number, PhaseService phases, DeploymentStore store, CancellationToken ct, bool resume = false, bool deleteResults = false, string? confirm = null)
    {
        // Parsed here rather than by a route constraint, so "/phases/one/run" gets the same clear 404 as "/phases/8/run".
        if (!int.TryParse(number, out var phaseNumber) || Phase.TryGet(phaseNumber) is null)
            return TypedResults.Problem($"There is no phase {number}; phases are numbered 1 to 7.",
                statusCode: StatusCodes.Status404NotFound, title: "Unknown phase");

        var outcome = await phases.RequestAsync(new RunRequest(phaseNumber, resume, deleteResults, Confirmation: confirm), ct);
        if (!outcome.Accepted)
            return TypedResults.Problem(outcome.Refusal, statusCode: StatusCodes.Status409Conflict,
                title: $"Phase {phaseNumber} cannot start now");

        var state = (await store.GetSnapshotAsync(ct))[phaseNumber];
        return TypedResults.Accepted($"/api/runs/{outcome.Run!.Id}/log", ToDto(state) with { RunId = outcome.Run.Id });
    }

    private static PhaseDto ToDto(PhaseState s) => new(
        s.Phase.Number, s.Phase.Name, s.Phase.Description, s.Status.ToString(), s.CanStart, s.WhyNot,
        s.LatestRun?.Id, s.LatestRun?.RequestedAt, s.LatestRun?.StartedAt, s.LatestRun?.EndedAt, s.LatestRun?.Reason);
}
