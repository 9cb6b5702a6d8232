namespace Cord19.Web.Hosting;

/// <summary>
/// Compresses the packages' static files (MudBlazor's, Vizor's: /_content/…) as they are sent. The SDK precompresses
/// them only at their plain addresses, not at the fingerprinted ones the pages ask for, so MudBlazor's 627 kB stylesheet
/// went out whole (seen in the build's and the publish's endpoint manifests, SDK 10.0.401). A response that already has a
/// Content-Encoding (a plain address's precompressed copy) is passed through; the app's own files never come here.
/// </summary>
/// <remarks>
/// Only these files: they hold no secret and echo nothing from the request, so compressing them over HTTPS gives
/// BREACH nothing to measure. Each is compressed once per browser, which then caches it for a year.
/// </remarks>
public static class PackageAssetCompression
{
    public static IServiceCollection AddPackageAssetCompression(this IServiceCollection services)
    {
        // Brotli and gzip at their fastest level (the defaults), for a browser that takes either.
        return services.AddResponseCompression(options => options.EnableForHttps = true);
    }

    public static IApplicationBuilder UsePackageAssetCompression(this IApplicationBuilder app) =>
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/_content"), files => files.UseResponseCompression());
}
