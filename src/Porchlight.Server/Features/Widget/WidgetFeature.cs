using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Widget;

/// <summary>
/// The visitor API under <c>/widget/v1</c> and the visitor hub. Called cross-origin from any site that embeds
/// the snippet, so CORS allows every origin, never with credentials: visitors carry a token, not a cookie.
/// Documented in docs/widget.md rather than the agent API's OpenAPI document.
/// </summary>
public static class WidgetFeature
{
    public const string CorsPolicy = "widget";
    public const string RateLimitPolicy = "widget";

    public static IServiceCollection AddWidget(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<VisitorTokens>()
            .AddScoped<GetWidgetConfig>()
            .AddScoped<StartVisitorSession>()
            .AddScoped<StartVisitorConversation>()
            .AddScoped<SendVisitorMessage>()
            .AddScoped<ReadVisitorConversations>()
            .AddScoped<MarkReadByVisitor>()
            .AddScoped<IdentifyVisitor>()
            .AddScoped<SetVisitorAttributes>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, VisitorAuthenticationHandler>(VisitorAuthenticationHandler.SchemeName, null);
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .AllowAnyOrigin().AllowAnyHeader().WithMethods("GET", "POST", "PUT").SetPreflightMaxAge(TimeSpan.FromHours(1))));
        // Per client address: generous for a person chatting, a wall for a script hammering one installation.
        var requestsPerMinute = configuration.GetValue("Security:WidgetRequestsPerMinute", 600);
        services.Configure<RateLimiterOptions>(limiter => limiter.AddPerClientAddressPolicy(RateLimitPolicy, requestsPerMinute));
        return services;
    }

    public static void MapWidget(this WebApplication app)
    {
        var widget = app.MapGroup("/widget/v1").RequireCors(CorsPolicy).RequireRateLimiting(RateLimitPolicy).ExcludeFromDescription();
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

        app.MapHub<VisitorHub>(VisitorHub.Path).RequireCors(CorsPolicy);
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
