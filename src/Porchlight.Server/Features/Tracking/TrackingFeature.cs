using System.Text.Json;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// The tracker's ingestion endpoint, <c>POST /t/v1/events</c>: a batch of page views, page leaves and custom events
/// as JSON in any content type (the tracker sends <c>text/plain</c> with <c>sendBeacon</c> or <c>fetch keepalive</c>,
/// which needs no CORS preflight). It answers 202 with no body once the events are queued, reading nothing from the
/// database on the way (site tokens are cached, see TrackingSites), 400 with field errors for a malformed batch (of
/// which nothing is kept), 404 for an unknown site and 503 with Retry-After while the write queue is full.
/// </summary>
public static class TrackingFeature
{
    public const int MaxBodyBytes = 64 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    public static IServiceCollection AddTracking(this IServiceCollection services) =>
        services.AddSingleton<TrackingSites>()
            .AddSingleton<TrackingWriter>()
            .AddHostedService(sp => sp.GetRequiredService<TrackingWriter>());

    public static void MapTracking(this WebApplication app) =>
        app.MapPost("/t/v1/events", IngestAsync)
            .RequireCors(Widget.WidgetFeature.CorsPolicy)
            .RequireRateLimiting(Widget.WidgetFeature.RateLimitPolicy)
            .DisableAntiforgery()
            .AllowAnonymous()
            .ExcludeFromDescription();

    private static async Task<IResult> IngestAsync(HttpRequest request, TrackingSites sites, TrackingWriter writer, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > MaxBodyBytes)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, detail: $"A batch is at most {MaxBodyBytes / 1024} KB.");
        }

        TrackerBatch? batch;
        try
        {
            batch = await JsonSerializer.DeserializeAsync<TrackerBatch>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [e.Path ?? "$"] = ["Not valid JSON for a tracker batch."] }, "The body is not a tracker batch.");
        }

        if (batch is null)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["$"] = ["Required: a tracker batch."] });
        }

        var errors = batch.Check();
        if (errors.Any)
        {
            return ProblemResults.From(errors.ToFailure());
        }

        if (await sites.FindAsync(batch.Site!, cancellationToken) is not { } site)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No web-widget inbox has this site token.");
        }

        var software = UserAgents.Read(request.Headers.UserAgent.ToString());
        if (software.IsBot)
        {
            return Results.Accepted(); // Crawlers and scripts are not counted; answered alike, so they do not retry.
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var events = batch.Events!.ConvertAll(reported => TrackedEvent.From(site, batch.Visitor!, batch.Session!, software, reported, now));
        if (!writer.TryQueue(events))
        {
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: "Too many events are waiting to be stored; try again shortly.");
        }

        return Results.Accepted();
    }
}
