using Cord19.Core.Settings;

namespace Cord19.Web.Api;

public static class SettingsEndpoints
{
    public static IEndpointRouteBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/settings").WithTags("Settings");

        api.MapGet("/", (SettingsStore store, CancellationToken ct) => store.GetAsync(ct));

        // PUT and PATCH alike change only the fields the body names (SettingsPatch); the rest keep their stored values.
        api.MapMethods("/", [HttpMethods.Put, HttpMethods.Patch], async (HttpRequest request, SettingsStore store, CancellationToken ct) =>
        {
            var (patch, unreadable, status) = await SettingsPatch.ReadAsync(request, ct);
            if (patch is null) return Results.Problem(unreadable, statusCode: status, title: "The settings were not saved");
            var (settings, fieldErrors) = SettingsPatch.Apply(await store.GetStoredAsync(ct), patch);
            var errors = settings is null ? fieldErrors : (await store.SaveAsync(settings, ct)).Select(p => p.Message).ToList();
            return errors.Count == 0
                ? Results.Ok(await store.GetAsync(ct))
                : Results.ValidationProblem(new Dictionary<string, string[]> { ["settings"] = errors.ToArray() }, title: "The settings were not saved");
        });
        // The saved price book priced as AWS charges in Settings' region today, with the saved types it lacks; nothing is
        // saved (PATCH priceBookJson with the answer's json to use it). A POST: it sends AWS a request or more for each key.
        api.MapPost("/price-book/read", async (SettingsStore store, ServiceClient.ISettingsClient client, CancellationToken ct) =>
        {
            return await client.ReadPricesAsync(await store.GetAsync(ct), ct);
        });
        return app;
    }
}
