using Cord19.Core.Settings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cord19.Web.Api;

public static class SettingsEndpoints
{
    public static IEndpointRouteBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/settings").WithTags("Settings");

        api.MapGet("/", (SettingsStore store, CancellationToken ct) => store.GetAsync(ct));

        api.MapPut("/", async Task<Results<Ok<PipelineSettings>, ValidationProblem>> (PipelineSettings settings, SettingsStore store, CancellationToken ct) =>
        {
            var errors = await store.SaveAsync(settings, ct);
            return errors.Count == 0
                ? TypedResults.Ok(settings)
                : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["settings"] = errors.ToArray() },
                    title: "The settings were not saved");
        });
        return app;
    }
}
