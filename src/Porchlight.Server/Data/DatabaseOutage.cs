using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Porchlight.Server.Data;

/// <summary>
/// A request that needs the database while it cannot be reached (PostgreSQL restarting, the network to it down)
/// answers 503 with <c>Retry-After</c> at once, instead of a 500: the client knows to try again, and a load
/// balancer's health check (<c>/health/ready</c>) takes the node out meanwhile. Nothing was acknowledged, so nothing
/// is lost; a resend with the same client id stores a message once. The pool reconnects on its own when the database
/// is back.
/// </summary>
internal sealed class DatabaseOutageHandler(IProblemDetailsService problems, ILogger<DatabaseOutageHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public static bool IsOutage(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is NpgsqlException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsOutage(exception))
        {
            return false;
        }

        logger.LogWarning("The database could not be reached for {Path}; answered 503.", httpContext.Request.Path);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Temporarily unavailable",
                Detail = $"The database cannot be reached right now. Nothing was changed; try again in {RetryAfterSeconds} seconds.",
            },
        });
    }
}
