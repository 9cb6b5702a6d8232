using Cord19.Core;
using Microsoft.AspNetCore.Diagnostics;

namespace Cord19.Web.Api;

/// <summary>
/// The API's one catch for failures a person can act on (<see cref="Cord19Exception"/>): problem details whose detail is
/// the exception's message (cause and fix) and whose status says what kind of failure it was, with Retry-After where
/// waiting may mend it. Anything else stays a 500 without internals (the exception handler's default).
/// </summary>
public sealed class FailureProblems(IProblemDetailsService problems, ILogger<FailureProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not Cord19Exception failure) return false;
        logger.LogInformation("{Method} {Path} answered {Title}: {Message}", http.Request.Method, http.Request.Path, failure.Title, failure.Message);
        http.Response.StatusCode = StatusOf(failure.Failure);
        if (failure.RetryAfter is { } after) http.Response.Headers.RetryAfter = ((int)after.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var details = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = http.Response.StatusCode, Title = failure.Title, Detail = failure.Message };
        foreach (var (key, value) in failure.Details) details.Extensions[key] = value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details, Exception = exception });
    }

    public static int StatusOf(FailureKind kind) => kind switch
    {
        FailureKind.Invalid => StatusCodes.Status400BadRequest,
        FailureKind.NotFound => StatusCodes.Status404NotFound,
        FailureKind.Conflict => StatusCodes.Status409Conflict,
        FailureKind.Unusable => StatusCodes.Status422UnprocessableEntity,
        FailureKind.UpstreamTimeout => StatusCodes.Status504GatewayTimeout,
        FailureKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status502BadGateway,
    };
}
