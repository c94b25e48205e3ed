namespace Porchlight.Server.Hosting;

/// <summary>Maps use-case outcomes to HTTP: RFC 9457 ProblemDetails for failures.</summary>
public static class ProblemResults
{
    public static IResult From(Failure failure) => failure.Kind switch
    {
        FailureKind.Invalid => TypedResults.ValidationProblem(
            failure.FieldErrors ?? new Dictionary<string, string[]>(), failure.Detail, title: "Invalid request"),
        FailureKind.NotFound => TypedResults.Problem(failure.Detail, statusCode: StatusCodes.Status404NotFound, title: "Not found"),
        FailureKind.Forbidden => TypedResults.Problem(failure.Detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden"),
        FailureKind.Conflict => TypedResults.Problem(
            failure.Detail,
            statusCode: StatusCodes.Status409Conflict,
            title: "Conflict",
            extensions: failure.FieldErrors is null ? null : new Dictionary<string, object?> { ["errors"] = failure.FieldErrors }),
        FailureKind.TooLarge => TypedResults.Problem(failure.Detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large"),
        FailureKind.UnsupportedType => TypedResults.Problem(failure.Detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "File type not accepted"),
        _ => throw new ArgumentOutOfRangeException(nameof(failure)),
    };

    /// <summary>Validates the paging query parameters, then lists.</summary>
    public static async Task<IResult> PagedAsync<T>(int? limit, string? cursor, Func<PageRequest, Task<Result<Page<T>>>> list)
    {
        var page = PageRequest.Parse(limit, cursor);
        return page.Succeeded ? (await list(page.Value!)).ToOk() : From(page.Failure!);
    }

    public static IResult ToHttp<T>(this Result<T> result, Func<T, IResult> onSuccess) =>
        result.Succeeded ? onSuccess(result.Value!) : From(result.Failure!);

    public static IResult ToOk<T>(this Result<T> result) => result.ToHttp(value => TypedResults.Ok(value));

    /// <summary>
    /// Answers with a problem from middleware, before any endpoint runs (a body too large, too many requests): the
    /// status is set and the problem written as the endpoints' own are, unless the client accepts no JSON (a browser
    /// asking for a page), which then gets the status alone.
    /// </summary>
    public static async Task WriteProblemAsync(this HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    public static IResult ToNoContent<T>(this Result<T> result) => result.ToHttp(_ => TypedResults.NoContent());
}
