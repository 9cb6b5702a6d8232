using Cord19.Core;
using Cord19.Core.Deployments;
using Microsoft.AspNetCore.Diagnostics;

namespace Cord19.Web.Api;

/// <summary>
/// The API's one catch for failures a person can act on (<see cref="Cord19Exception"/>): problem details whose detail is
/// the exception's message (cause and fix) and whose status says what kind of failure it was; and the state database
/// out of reach past its retries, a 503 saying so. Anything else stays a 500 without internals (the exception handler's
/// default).
/// </summary>
public sealed class FailureProblems(IProblemDetailsService problems, ILogger<FailureProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (StateDatabaseFailure.IsOutage(exception)) return await StateDatabaseOutOfReachAsync(http, exception);
        if (exception is not Cord19Exception failure) return false;
        logger.LogInformation("{Method} {Path} answered {Title}: {Message}", http.Request.Method, http.Request.Path, failure.Title, failure.Message);
        http.Response.StatusCode = StatusOf(failure.Failure);
        var details = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = http.Response.StatusCode, Title = failure.Title, Detail = failure.Message };
        foreach (var (key, value) in failure.Details) details.Extensions[key] = value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details, Exception = exception });
    }

    private async ValueTask<bool> StateDatabaseOutOfReachAsync(HttpContext http, Exception exception)
    {
        logger.LogWarning("{Method} {Path} answered 503: the state database is out of reach ({Message}).", http.Request.Method, http.Request.Path, exception.Message);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "30";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The state database is out of reach",
                Detail = StateDatabaseFailure.OutOfReach,
            },
        });
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
