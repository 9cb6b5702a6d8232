using Cord19.Core.Execution;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;

namespace Cord19.Web.Api;

/// <summary>The AWS checklist, role creation, orphans, live status and de-allocation's dry run, for scripts and tests.</summary>
public static class AwsEndpoints
{
    public sealed record OrphanDto(string Region, IReadOnlyList<TaggedResource> Resources);

    public static IEndpointRouteBuilder MapAwsApi(this IEndpointRouteBuilder app)
    {
        var aws = app.MapGroup("/api/aws").WithTags("AWS");

        aws.MapGet("/checklist", async (AwsChecklist checklist, SettingsStore settings, CancellationToken ct) =>
            Results.Ok(await checklist.RunAsync(await settings.GetAsync(ct), ct)));

        aws.MapPost("/roles", (AwsChecklist checklist, SettingsStore settings, CancellationToken ct) =>
            Call(async () => await checklist.CreateRolesAsync(await settings.GetAsync(ct), ct)));

        aws.MapGet("/orphans", (string? region, AwsReconciler reconciler, SettingsStore settings, CancellationToken ct) => Call(async () =>
        {
            var where = region ?? (await settings.GetAsync(ct)).AwsRegion;
            return new OrphanDto(where, await reconciler.FindOrphansAsync(where, ct));
        }));

        // What the AWS page's Find orphans shows: the Settings region and every region a deployment used, each with its
        // orphans or why it could not be searched.
        aws.MapGet("/orphans/everywhere", (AwsReconciler reconciler, SettingsStore settings, CancellationToken ct) =>
            Call(async () => await reconciler.FindOrphansEverywhereAsync((await settings.GetAsync(ct)).AwsRegion, ct)));

        // GET /orphans is the dry run; this deletes what it lists, with the typed confirmation (409 naming the word without it).
        aws.MapPost("/orphans/delete", async (string? region, string? confirm, AwsReconciler reconciler, SettingsStore settings, CancellationToken ct) =>
        {
            var where = region ?? (await settings.GetAsync(ct)).AwsRegion;
            // Not the request's token: a closed browser must not leave a clean-up half done.
            var outcome = await reconciler.DeleteOrphansAsync(where, confirm, CancellationToken.None);
            return outcome.Refusal is { } refusal
                ? Results.Problem($"{refusal} List them first with GET /api/aws/orphans (the dry run), then pass ?confirm=.",
                    statusCode: StatusCodes.Status409Conflict, title: "Confirmation required")
                : Results.Ok(outcome);
        });

        aws.MapPost("/airflow-password/rotate", (AirflowPasswordRotation rotation) =>
            Call(async () => new { message = await rotation.RotateAsync(CancellationToken.None) }));

        aws.MapGet("/operator-policy", () => Results.Text(OperatorPolicy.Json, "application/json"));

        aws.MapGet("/role-boundary", () => Results.Text(RoleBoundary.Json, "application/json"));

        aws.MapGet("/status", async (AwsStatusMonitor monitor, Core.Deployments.DeploymentStore store, CancellationToken ct) =>
        {
            if (await store.GetWithRunsAsync(ct: ct) is not { Deployment: { HasEnded: false, Target: Core.Deployments.DeploymentTarget.Aws } deployment })
                return Results.Problem("There is no live AWS deployment.", statusCode: StatusCodes.Status404NotFound);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromSeconds(60));
            await foreach (var status in monitor.WatchAsync(deployment.Id, wait.Token))
                return Results.Ok(status);
            return Results.Problem("No status within a minute.", statusCode: StatusCodes.Status504GatewayTimeout);
        });

        app.MapGet("/api/deployment/deallocation-plan", async (DeallocationPlanner planner, CancellationToken ct) =>
                await planner.PlanAsync(ct) is { } plan
                    ? Results.Ok(plan)
                    : Results.Problem("There is no live deployment: nothing to de-allocate.", statusCode: StatusCodes.Status404NotFound))
            .WithTags("Phases");
        return app;
    }

    // Failures with a cause and a fix (AWS's refusals, bad local set-up, "not possible now") are answered by FailureProblems.
    private static async Task<IResult> Call<T>(Func<Task<T>> call) => Results.Ok(await call());
}
