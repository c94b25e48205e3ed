using System.Text.Json;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// The tracker's ingestion endpoint, <c>POST /t/v1/events</c>, answered at the start of the pipeline (see
/// <see cref="UseTrackingIngestion"/>): a batch of page views, page leaves and custom events
/// as JSON in any content type (the tracker sends <c>text/plain</c> with <c>sendBeacon</c> or <c>fetch keepalive</c>,
/// which needs no CORS preflight). It answers 202 with no body once the events are queued, reading nothing from the
/// database on the way (site settings are cached, see TrackingSites), 400 with field errors for a malformed batch (of
/// which nothing is kept), 403 when the inbox does not track or the site is not on its allow-list, 404 for an
/// unknown site and 503 with Retry-After while the write queue is full.
/// </summary>
public static class TrackingFeature
{
    public const int MaxBodyBytes = 64 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    public static IServiceCollection AddTracking(this IServiceCollection services) =>
        services.AddSingleton<TrackingSites>()
            .AddSingleton<DailySalts>()
            .AddSingleton<Sessionizer>()
            .AddSingleton<GeoCountries>()
            .AddScoped<ContactActivityQuery>()
            .AddScoped<LinkTrackedVisitor>()
            .AddSingleton<TrackingLimits>()
            .AddSingleton<LiveVisitors>()
            .AddScoped<OnlineVisitorsQuery>()
            .AddSingleton<TrackingWriter>()
            .AddHostedService(sp => sp.GetRequiredService<TrackingWriter>())
            .AddSingleton<TrackingRetention>()
            .AddHostedService(sp => sp.GetRequiredService<TrackingRetention>())
            .AddSingleton<TrackingRollups>()
            .AddHostedService(sp => sp.GetRequiredService<TrackingRollups>())
            .AddScoped<SiteStatisticsQuery>()
            .AddHostedService<SiteStatisticsWarmUp>();

    public const string Path = "/t/v1/events";

    public const string PingPath = "/t/v1/ping";

    /// <summary>
    /// Answers tracking requests before the app's middleware: the endpoint is anonymous and takes no cookies, so
    /// sign-in, antiforgery, the setup gate and the shared rate limiter have nothing to do for it but cost time on
    /// every page view. It sets its own CORS headers (any origin, no credentials) and counts its own limits.
    /// </summary>
    public static void UseTrackingIngestion(this WebApplication app)
    {
        var services = app.Services;
        var ingestion = new Ingestion(
            services.GetRequiredService<TrackingSites>(), services.GetRequiredService<DailySalts>(), services.GetRequiredService<Sessionizer>(),
            services.GetRequiredService<TrackingWriter>(), services.GetRequiredService<TrackingLimits>(), services.GetRequiredService<LiveVisitors>(),
            services.GetRequiredService<Campaigns.ProactiveOffers>(), services.GetRequiredService<PorchlightMetrics>(), services.GetRequiredService<TimeProvider>());
        app.Use(async (context, next) =>
        {
            var isPing = context.Request.Path.Equals(PingPath, StringComparison.Ordinal);
            if (!isPing && !context.Request.Path.Equals(Path, StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            var response = context.Response;
            response.Headers.AccessControlAllowOrigin = "*";
            if (HttpMethods.IsOptions(context.Request.Method))
            {
                // A preflight, for clients that send application/json; the tracker's text/plain needs none.
                response.Headers.AccessControlAllowMethods = "POST";
                response.Headers.AccessControlAllowHeaders = "Content-Type";
                response.Headers.AccessControlMaxAge = "86400";
                response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            var result = !HttpMethods.IsPost(context.Request.Method)
                ? Results.Problem(statusCode: StatusCodes.Status405MethodNotAllowed, detail: "Send tracker requests with POST.")
                : isPing ? await ingestion.PingAsync(context.Request, context.RequestAborted)
                : await ingestion.IngestAsync(context.Request, context.RequestAborted);
            await result.ExecuteAsync(context);
        });
    }

    public static void MapTrackingApi(this RouteGroupBuilder api)
    {
        api.MapGet("/contacts/{contactId:guid}/activity", async (Guid contactId, ContactActivityQuery query, CancellationToken ct) =>
                (await query.HandleAsync(contactId, ct)).ToOk())
            .WithTags("Contacts").RequirePermission(Permission.ViewConversations).Produces<ContactActivityResponse>();
        api.MapGet("/visitors/online", async (Guid? inboxId, OnlineVisitorsQuery query, CancellationToken ct) => Results.Ok(await query.HandleAsync(inboxId, ct)))
            .WithTags("Visitors").RequirePermission(Permission.ViewConversations).Produces<List<OnlineVisitorResponse>>();
        api.MapGet("/inboxes/{inboxId:guid}/statistics", async (Guid inboxId, DateOnly? from, DateOnly? to, int? top, SiteStatisticsQuery query, CancellationToken ct) =>
                (await query.HandleAsync(inboxId, from, to, top, ct)).ToOk())
            .WithTags("Visitors").RequirePermission(Permission.ViewReports).Produces<SiteStatisticsResponse>();
    }

    private sealed class Ingestion(
        TrackingSites sites, DailySalts salts, Sessionizer sessionizer, TrackingWriter writer, TrackingLimits limits, LiveVisitors live,
        Campaigns.ProactiveOffers offers, PorchlightMetrics metrics, TimeProvider clock)
    {
        public async Task<IResult> IngestAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            var (batch, refusal) = await ReadAsync<TrackerBatch>(request, b => b.Check(), cancellationToken);
            if (refusal is not null)
            {
                return refusal;
            }

            var (site, browser, software, refused) = await AdmitAsync(request, batch!.Site!, batch.Visitor, batch.Session, cancellationToken);
            if (refused is not null || site is null)
            {
                return refused ?? Results.Accepted();
            }

            var settings = site.Settings;
            var now = clock.GetUtcNow().UtcDateTime;
            var address = browser!.Address;
            var salt = settings.Mode == TrackingMode.Cookieless || settings.IpAddresses == IpAddressStorage.Hashed
                ? await salts.TodayAsync(cancellationToken)
                : null;
            string visitorKey, sessionKey;
            if (settings.Mode == TrackingMode.Cookieless)
            {
                visitorKey = await salts.CookielessVisitorAsync(site.InboxId, browser, cancellationToken);
                sessionKey = sessionizer.SessionFor(site.InboxId, visitorKey, now);
            }
            else
            {
                (visitorKey, sessionKey) = (batch.Visitor!, batch.Session!);
            }

            var storedAddress = settings.IpAddresses switch
            {
                IpAddressStorage.Truncated => DailySalts.Truncate(address),
                IpAddressStorage.Hashed => DailySalts.Hash(salt!, "h_", address.ToString()),
                _ => null,
            };
            DateTime? sentAt = batch.At is { } at ? DateTime.UnixEpoch.AddMilliseconds(at) : null;
            var events = batch.Events!.ConvertAll(reported => TrackedEvent.From(site, visitorKey, sessionKey, software!, reported, now, sentAt));
            if (!writer.TryQueue(new TrackedHit(events, storedAddress, address)))
            {
                request.HttpContext.Response.Headers.RetryAfter = "5";
                return Refused("full", Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: "Too many events are waiting to be stored; try again shortly."));
            }

            return Results.Accepted();
        }

        /// <summary>
        /// A page still open: keeps its visitor shown as on the site and on that page, and answers the proactive
        /// message waiting for them, if any (200 with it, else 204).
        /// </summary>
        public async Task<IResult> PingAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            var (ping, refusal) = await ReadAsync<TrackerPing>(request, p => p.Check(), cancellationToken);
            if (refusal is not null)
            {
                return refusal;
            }

            var (site, browser, _, refused) = await AdmitAsync(request, ping!.Site!, ping.Visitor, ping.Session, cancellationToken);
            if (refused is not null || site is null)
            {
                return refused ?? Results.NoContent();
            }

            var visitorKey = site.Settings.Mode == TrackingMode.Cookieless
                ? await salts.CookielessVisitorAsync(site.InboxId, browser!, cancellationToken)
                : ping.Visitor!;
            var url = TrackedPage.Read(ping.Url, site.Settings.KeptQueryParameters)?.Address;
            var visits = live.KeepAlive(site.InboxId, visitorKey, url);
            var offer = await offers.FindAsync(site.InboxId, visitorKey, url, ping.Seconds ?? 0, visits, ping.Event, cancellationToken);
            return offer is null ? Results.NoContent() : Results.Ok(offer);
        }

        private IResult Refused(string reason, IResult answer)
        {
            metrics.TrackingRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));
            return answer;
        }

        private async Task<(T? Body, IResult? Refusal)> ReadAsync<T>(HttpRequest request, Func<T, FieldErrors> check, CancellationToken cancellationToken)
            where T : class
        {
            if (request.ContentLength is > MaxBodyBytes)
            {
                return (null, Refused("too_large", Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, detail: $"A batch is at most {MaxBodyBytes / 1024} KB.")));
            }

            T? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, cancellationToken);
            }
            catch (JsonException e)
            {
                return (null, Refused("malformed", Results.ValidationProblem(new Dictionary<string, string[]> { [e.Path ?? "$"] = ["Not valid JSON for a tracker request."] }, "The body is not a tracker request.")));
            }

            if (body is null)
            {
                return (null, Refused("malformed", Results.ValidationProblem(new Dictionary<string, string[]> { ["$"] = ["Required: a tracker request."] })));
            }

            var errors = check(body);
            return errors.Any ? (null, Refused("malformed", ProblemResults.From(errors.ToFailure()))) : (body, null);
        }

        /// <summary>
        /// The checks every tracker request passes: limits, a known site that tracks, an allowed origin, ids where the
        /// site keeps them. A crawler, or a visitor who asked not to be tracked, gets no site and no refusal: the
        /// request is answered like any other, so nothing retries, and nothing is done with it.
        /// </summary>
        private async Task<(TrackingSite? Site, TrackedBrowser? Browser, UserAgentFacts? Software, IResult? Refusal)> AdmitAsync(
            HttpRequest request, string siteToken, string? visitor, string? session, CancellationToken cancellationToken)
        {
            if (!limits.TryTake(request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown", siteToken))
            {
                request.HttpContext.Response.Headers.RetryAfter = limits.SecondsLeft().ToString(System.Globalization.CultureInfo.InvariantCulture);
                return (null, null, null, Refused("rate_limited", Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, detail: "Too many tracking requests this minute; try again later.")));
            }

            if (await sites.FindAsync(siteToken, cancellationToken) is not { } site)
            {
                return (null, null, null, Refused("unknown_site", Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No web-widget inbox has this site token.")));
            }

            var settings = site.Settings;
            if (settings.Mode == TrackingMode.Off)
            {
                return (null, null, null, Refused("forbidden", Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "This inbox does not track visitors.")));
            }

            if (!settings.Allows(request.Headers.Origin))
            {
                return (null, null, null, Refused("forbidden", Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "This site is not on the inbox's list of allowed origins.")));
            }

            if (settings.Mode == TrackingMode.On && TrackerBatch.MissingKeys(visitor, session) is { Any: true } missing)
            {
                return (null, null, null, Refused("malformed", ProblemResults.From(missing.ToFailure())));
            }

            var software = UserAgents.Read(request.Headers.UserAgent.ToString());
            return software.IsBot || TrackedBrowser.Trackable(request.HttpContext) is not { } browser
                ? (null, null, null, null)
                : (site, browser, software, null);
        }
    }
}
