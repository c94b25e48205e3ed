namespace Porchlight.Server.Features.Conversations;

/// <summary>What an idempotent write answers: the stored value, and whether this request stored it (201) or a retry found it (200).</summary>
public sealed record Posted<T>(T Value, bool Created);

public static class PostedResults
{
    public static IResult ToCreatedOrOk<T>(this Hosting.Result<Posted<T>> result, Func<T, string> location) =>
        Hosting.ProblemResults.ToHttp(result, posted => posted.Created
            ? TypedResults.Created(location(posted.Value), posted.Value)
            : TypedResults.Ok(posted.Value));
}
