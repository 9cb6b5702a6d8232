using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Cord19.Web.Api;

/// <summary>
/// The API reads its bodies as UTF-8. A body declared in another charset is refused with 415 and the fix before any
/// endpoint reads it: ASP.NET's JSON binding throws on a charset .NET does not know, which was a 500 on every route that
/// binds a body (the Airflow trigger and pause; found by the mapped-route fuzz).
/// </summary>
public static class Utf8Bodies
{
    public static IApplicationBuilder UseUtf8Bodies(this IApplicationBuilder api) => api.Use(async (http, next) =>
    {
        if (http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true && Refusal(http.Request.ContentType) is { } why)
        {
            await Results.Problem(why, statusCode: StatusCodes.Status415UnsupportedMediaType).ExecuteAsync(http);
            return;
        }
        await next();
    });

    /// <summary>Why a body of this content type is not read, or null (no charset, or UTF-8, quoted or not).</summary>
    private static string? Refusal(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var type) || type.Charset is not { Length: > 0 } declared) return null;
        var charset = HeaderUtilities.RemoveQuotes(declared).Value!;
        return charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"The charset '{charset}' is not supported: send the body as UTF-8 (Content-Type: application/json; charset=utf-8, or no charset).";
    }
}
