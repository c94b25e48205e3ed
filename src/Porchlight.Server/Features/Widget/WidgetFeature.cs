using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Widget;

/// <summary>
/// The visitor API under <c>/widget/v1</c> and the visitor hub. Called cross-origin from any site that embeds
/// the snippet, so CORS allows every origin, never with credentials: visitors carry a token, not a cookie.
/// Documented in docs/widget.md rather than the agent API's OpenAPI document. Every route is limited per client
/// address and, with a visitor token, per visitor; an inbox with allowed origins takes only those sites
/// (<see cref="WidgetOrigins"/>).
/// </summary>
public static class WidgetFeature
{
    public const string CorsPolicy = "widget";

    /// <summary>A visitor API body other than a file upload: a message's text, attributes, a form's answers.</summary>
    public const long MaxBodyBytes = 128 * 1024;

    public static IServiceCollection AddWidget(this IServiceCollection services)
    {
        services.AddSingleton<VisitorTokens>()
            .AddScoped<GetWidgetConfig>()
            .AddScoped<StartVisitorSession>()
            .AddScoped<StartVisitorConversation>()
            .AddScoped<SendVisitorMessage>()
            .AddScoped<ReadVisitorConversations>()
            .AddScoped<MarkReadByVisitor>()
            .AddScoped<IdentifyVisitor>()
            .AddScoped<SetVisitorAttributes>()
            .AddSingleton<WidgetOrigins>();
        // Visitors only say that they type over the hub (messages go over HTTP): a small frame is plenty, and an
        // anonymous client cannot make the server buffer SignalR's default 32 KiB per message.
        services.AddSignalR().AddHubOptions<VisitorHub>(hub => hub.MaximumReceiveMessageSize = VisitorHub.MaxMessageBytes);
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, VisitorAuthenticationHandler>(VisitorAuthenticationHandler.SchemeName, null);
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .AllowAnyOrigin().AllowAnyHeader().WithMethods("GET", "POST", "PUT").SetPreflightMaxAge(TimeSpan.FromHours(1))));
        // Per visitor, on top of the per-address policy of the routes: one visitor's token used from many addresses
        // still gets one visitor's share. The limiter runs before authentication, so it reads the token itself; a
        // token that is not valid is not limited here (the request is refused with 401 anyway, and counted per address).
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ClientRateLimitOptions>, VisitorTokens>((limiter, limits, tokens) =>
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                IsVisitorPath(http.Request) && VisitorAuthenticationHandler.ReadOnce(http, tokens) is { } visitor
                    ? ClientRateLimits.PerMinute("visitor:" + visitor.ContactId.ToString("N"), limits.Value.PerVisitorPerMinute)
                    : RateLimitPartition.GetNoLimiter("")));
        return services;
    }

    public static void MapWidget(this WebApplication app)
    {
        var widget = app.MapGroup("/widget/v1").RequireCors(CorsPolicy).RequireRateLimiting(ClientRateLimits.Widget)
            .WithMetadata(new BodySizeLimit(MaxBodyBytes)).AddEndpointFilter(RefuseOtherOriginsAsync).ExcludeFromDescription();
        widget.MapGet("/inboxes/{inboxToken}", async (string inboxToken, string? locale, GetWidgetConfig useCase, CancellationToken ct) =>
            (await useCase.HandleAsync(inboxToken, locale, ct)).ToOk());
        // The knowledge base, by the inbox's public token: readable before (and without) a conversation.
        widget.MapGet("/inboxes/{inboxToken}/articles", async (string inboxToken, string? q, string? locale, KnowledgeBase.VisitorArticles useCase, CancellationToken ct) =>
            (await useCase.ListAsync(inboxToken, q, locale, ct)).ToOk());
        // A visitor token, when sent, says who read it (for article deflection); the article is public either way.
        widget.MapGet("/inboxes/{inboxToken}/articles/{articleId:guid}", async (string inboxToken, Guid articleId, HttpContext http, KnowledgeBase.VisitorArticles useCase, CancellationToken ct) =>
            (await useCase.GetAsync(inboxToken, articleId, await OptionalVisitorAsync(http), ct)).ToOk());
        widget.MapPost("/inboxes/{inboxToken}/articles/{articleId:guid}/feedback", async (string inboxToken, Guid articleId, KnowledgeBase.VisitorFeedbackRequest request, KnowledgeBase.VisitorArticles useCase, CancellationToken ct) =>
            (await useCase.FeedbackAsync(inboxToken, articleId, request, ct)).ToNoContent());
        widget.MapPost("/sessions", async (StartSessionRequest request, StartVisitorSession useCase, HttpContext http, CancellationToken ct) =>
            (await useCase.HandleAsync(request, Tracking.TrackedBrowser.Trackable(http), ct)).ToOk());

        var visitor = widget.MapGroup("/").RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute
        {
            AuthenticationSchemes = VisitorAuthenticationHandler.SchemeName,
        });
        visitor.MapPost("/identify", async (ClaimsPrincipal user, IdentifyRequest request, IdentifyVisitor useCase, CancellationToken ct) =>
            (await useCase.HandleAsync(Visitor(user), request, ct)).ToOk());
        visitor.MapPut("/attributes", async (ClaimsPrincipal user, SetAttributesRequest request, SetVisitorAttributes useCase, CancellationToken ct) =>
            (await useCase.HandleAsync(Visitor(user), request, ct)).ToNoContent());
        visitor.MapGet("/conversations", async (ClaimsPrincipal user, ReadVisitorConversations useCase, CancellationToken ct) =>
            (await useCase.ListAsync(Visitor(user), ct)).ToOk());
        visitor.MapPost("/conversations", async (ClaimsPrincipal user, StartConversationRequest request, StartVisitorConversation useCase, CancellationToken ct) =>
            (await useCase.HandleAsync(Visitor(user), request, ct)).ToCreatedOrOk(c => $"/widget/v1/conversations/{c.Conversation.Id}"));
        visitor.MapGet("/proactive/{messageId:guid}", async (ClaimsPrincipal user, Guid messageId, Campaigns.VisitorProactiveMessages useCase, CancellationToken ct) =>
            (await useCase.OpenAsync(Visitor(user), messageId, ct)).ToOk());
        visitor.MapGet("/conversations/{conversationId:guid}/survey", async (ClaimsPrincipal user, Guid conversationId, Surveys.VisitorSurveys useCase, CancellationToken ct) =>
            (await useCase.GetAsync(Surveys.SurveyAnswerer.Of(Visitor(user), conversationId), ct)).ToOk());
        visitor.MapPost("/conversations/{conversationId:guid}/survey", async (ClaimsPrincipal user, Guid conversationId, Surveys.SurveyAnswerRequest request, Surveys.VisitorSurveys useCase, CancellationToken ct) =>
            (await useCase.AnswerAsync(Surveys.SurveyAnswerer.Of(Visitor(user), conversationId), request, ct)).ToOk());
        visitor.MapPost("/offline-messages", async (ClaimsPrincipal user, OfflineMessageRequest request, StartVisitorConversation useCase, CancellationToken ct) =>
            (await useCase.HandleAsync(Visitor(user), request, ct)).ToCreatedOrOk(c => $"/widget/v1/conversations/{c.Conversation.Id}"));
        visitor.MapGet("/conversations/{conversationId:guid}/messages", async (ClaimsPrincipal user, Guid conversationId, long? after, ReadVisitorConversations useCase, CancellationToken ct) =>
            (await useCase.MessagesAsync(Visitor(user), conversationId, after ?? 0, ct)).ToOk());
        visitor.MapPost("/conversations/{conversationId:guid}/messages", async (ClaimsPrincipal user, Guid conversationId, SendVisitorMessageRequest request, SendVisitorMessage useCase, CancellationToken ct) =>
            (await useCase.HandleAsync(Visitor(user), conversationId, request, ct)).ToCreatedOrOk(m => $"/widget/v1/conversations/{conversationId}/messages?after={m.Sequence - 1}"));
        // Files for the message that starts a conversation, then files for a message in one.
        Upload(visitor.MapPost("/attachments", (ClaimsPrincipal user, IFormFile? file, UploadAttachment useCase, CancellationToken ct) =>
            UploadAsync(user, null, file, useCase, ct)), app.Configuration);
        Upload(visitor.MapPost("/conversations/{conversationId:guid}/attachments", (ClaimsPrincipal user, Guid conversationId, IFormFile? file, UploadAttachment useCase, CancellationToken ct) =>
            UploadAsync(user, conversationId, file, useCase, ct)), app.Configuration);
        visitor.MapPost("/conversations/{conversationId:guid}/read", async (ClaimsPrincipal user, Guid conversationId, MarkReadRequest request, MarkReadByVisitor useCase, CancellationToken ct) =>
            (await useCase.HandleAsync(Visitor(user), conversationId, request, ct)).ToNoContent());

        app.MapHub<VisitorHub>(VisitorHub.Path).RequireCors(CorsPolicy).RequireRateLimiting(ClientRateLimits.Widget)
            .Add(endpoint =>
            {
                // Negotiate and connect alike: a hub endpoint takes no endpoint filters, so its delegate is wrapped.
                var connect = endpoint.RequestDelegate!;
                endpoint.RequestDelegate = async http =>
                {
                    if (await http.RequestServices.GetRequiredService<WidgetOrigins>().RefusalAsync(http, null, VisitorIdentity.From(http.User)?.InboxId) is { } refusal)
                    {
                        await refusal.ExecuteAsync(http);
                        return;
                    }

                    await connect(http);
                };
            });
    }

    private static bool IsVisitorPath(HttpRequest request) =>
        request.Path.StartsWithSegments("/widget/v1") || request.Path.StartsWithSegments(VisitorHub.Path);

    // The inbox is named by the route (config, articles), the session request's body, or the visitor token. Runs after
    // binding and before the handler, so a refused request has changed nothing.
    private static async ValueTask<object?> RefuseOtherOriginsAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var inboxToken = http.GetRouteValue("inboxToken") as string ?? context.Arguments.OfType<StartSessionRequest>().FirstOrDefault()?.InboxToken;
        var refusal = await http.RequestServices.GetRequiredService<WidgetOrigins>().RefusalAsync(http, inboxToken, VisitorIdentity.From(http.User)?.InboxId);
        return refusal ?? await next(context);
    }

    private static async Task<IResult> UploadAsync(ClaimsPrincipal user, Guid? conversationId, IFormFile? file, UploadAttachment useCase, CancellationToken ct)
    {
        await using var content = file?.OpenReadStream();
        var uploaded = file is null ? null : new UploadedFile(file.FileName, file.Length, content!);
        return (await useCase.ByVisitorAsync(Visitor(user), conversationId, uploaded, ct)).ToHttp(a => TypedResults.Created(a.Url, a));
    }

    private static void Upload(RouteHandlerBuilder endpoint, IConfiguration configuration) => endpoint
        .WithMetadata(AttachmentsFeature.UploadLimit(configuration))
        // Visitors authenticate with a bearer token, never a cookie, so a cross-site form post carries no authority.
        .DisableAntiforgery();

    // The group's authorization admits only principals of the visitor scheme, which always carry an identity.
    private static VisitorIdentity Visitor(ClaimsPrincipal user) =>
        VisitorIdentity.From(user) ?? throw new InvalidOperationException("The visitor scheme produced no visitor identity.");

    // On a public route: the visitor the request's token names, or null without one (or with one not valid).
    private static async Task<VisitorIdentity?> OptionalVisitorAsync(HttpContext http) =>
        (await http.AuthenticateAsync(VisitorAuthenticationHandler.SchemeName)).Principal is { } principal ? VisitorIdentity.From(principal) : null;
}
