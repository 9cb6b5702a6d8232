using System.Globalization;

namespace Cord19.Web.Hosting;

public static class HangfireInputGuard
{
    /// <summary>
    /// Hangfire's dashboard reads forms and job ids without checking them; what it would throw on (no form, a broken
    /// one, an id that is not a number: its storages number their jobs) is the request's fault, so it is answered 400 or
    /// 404 here, never a 500.
    /// </summary>
    public static IApplicationBuilder UseHangfireInputGuard(this IApplicationBuilder app)
    {
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/hangfire"), dashboard => dashboard.Use(async (http, next) =>
        {
            var readsForm = HttpMethods.IsPost(http.Request.Method) || http.Request.Path.StartsWithSegments("/hangfire/stats");
            if (readsForm && !http.Request.HasFormContentType)
            {
                await Results.Problem("The job dashboard's actions are form posts from its own pages.", statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(http);
                return;
            }
            if (http.Request.Path.StartsWithSegments("/hangfire/jobs/details", out var id)
                && !long.TryParse(id.Value!.TrimStart('/'), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            try
            {
                await next();
            }
            catch (Exception ex) when (!http.Response.HasStarted && ex is InvalidDataException or FormatException or OverflowException or BadHttpRequestException)
            {
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Hangfire.Dashboard").LogWarning("Refused a malformed dashboard request: {Message}", ex.Message);
                await Results.Problem("The job dashboard could not read this request.", statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(http);
            }
        }));
        return app;
    }
}
