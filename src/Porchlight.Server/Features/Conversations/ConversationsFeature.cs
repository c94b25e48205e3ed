using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

public static class ConversationsFeature
{
    public static IServiceCollection AddConversations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConversationOptions>().Bind(configuration.GetSection(ConversationOptions.Section));
        // Hub payloads read like the REST API's: camelCase, enums by name.
        services.AddSignalR().AddJsonProtocol(json => json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            // Agents only say that they type; writes go through the use cases over HTTP. A larger frame is refused
            // (the connection closes) before it is parsed.
            .AddHubOptions<AgentHub>(hub => hub.MaximumReceiveMessageSize = 8 * 1024);
        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", options => options.AddDocumentTransformer<RealTimeReference>());
        return services
            .AddSingleton<LiveInboxFeed>()
            .AddSingleton<MessageWriteGate>()
            .AddSingleton<MessageWriter>()
            .AddHostedService(sp => sp.GetRequiredService<MessageWriter>())
            .AddScoped<ConversationBroadcaster>()
            .AddScoped<NoteMentions>()
            .AddScoped<MessageLog>()
            .AddScoped<MessageViews>()
            .AddScoped<ConversationChanges>()
            .AddScoped<ConversationQueries>()
            .AddScoped<ConversationViews>()
            .AddSingleton<RecentConversationViews>()
            .AddScoped<SendAgentMessage>()
            .AddScoped<ChannelConversations>()
            .AddScoped<ChangeConversation>()
            .AddScoped<DemoConversations>()
            .AddScoped<OwnMessages>()
            .AddScoped<EditMessage>()
            .AddScoped<DeleteMessage>()
            .AddHostedService<SnoozeAlarm>();
    }

    public static void MapConversations(this RouteGroupBuilder api)
    {
        var conversations = api.MapGroup("/conversations").WithTags("Conversations");
        conversations.MapGet("/", async (
                ConversationView? view, ConversationStatus? status, Guid? inboxId, Guid? teamId, string? label, ConversationPriority? priority,
                string? search, ConversationSort? sort, int? limit, int? offset, ConversationQueries queries, CancellationToken ct) =>
            (await queries.ListAsync(
                new ConversationFilter(view ?? ConversationView.All, status, inboxId, teamId, label, priority, search,
                    sort ?? ConversationSort.Newest, limit ?? 50, offset ?? 0), ct)).ToOk())
            .RequirePermission(Permission.ViewConversations).Produces<ConversationList>();
        conversations.MapGet("/{conversationId:guid}", async (Guid conversationId, ConversationQueries queries, CancellationToken ct) =>
                (await queries.GetAsync(conversationId, ct)).ToOk())
            .RequirePermission(Permission.ViewConversations).Produces<ConversationResponse>();
        conversations.MapGet("/{conversationId:guid}/messages", async (Guid conversationId, long? after, int? limit, ConversationQueries queries, CancellationToken ct) =>
                (await queries.MessagesAsync(conversationId, after ?? 0, limit ?? 100, ct)).ToOk())
            .RequirePermission(Permission.ViewConversations).Produces<List<MessageResponse>>();
        conversations.MapPost("/{conversationId:guid}/messages", async (Guid conversationId, SendMessageRequest request, SendAgentMessage useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(conversationId, request, ct)).ToCreatedOrOk(m => $"/api/v1/conversations/{conversationId}/messages?after={m.Sequence - 1}&limit=1"))
            .RequirePermission(Permission.HandleConversations).Produces<MessageResponse>(StatusCodes.Status201Created);
        conversations.MapPut("/{conversationId:guid}/messages/{messageId:guid}", async (Guid conversationId, Guid messageId, EditMessageRequest request, EditMessage useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(conversationId, messageId, request, ct)).ToOk())
            .RequirePermission(Permission.HandleConversations).Produces<MessageResponse>().ProducesProblem(StatusCodes.Status409Conflict);
        conversations.MapDelete("/{conversationId:guid}/messages/{messageId:guid}", async (Guid conversationId, Guid messageId, DeleteMessage useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(conversationId, messageId, ct)).ToOk())
            .RequirePermission(Permission.HandleConversations).Produces<MessageResponse>().ProducesProblem(StatusCodes.Status409Conflict);
        conversations.MapPost("/{conversationId:guid}/status", async (Guid conversationId, ChangeStatusRequest request, ChangeConversation useCase, CancellationToken ct) =>
                (await useCase.StatusAsync(conversationId, request, ct)).ToOk())
            .RequirePermission(Permission.HandleConversations).Produces<ConversationResponse>();
        conversations.MapPost("/{conversationId:guid}/assignment", async (Guid conversationId, AssignRequest request, ChangeConversation useCase, CancellationToken ct) =>
                (await useCase.AssignAsync(conversationId, request, ct)).ToOk())
            .RequirePermission(Permission.HandleConversations).Produces<ConversationResponse>();
        conversations.MapPost("/{conversationId:guid}/priority", async (Guid conversationId, ChangePriorityRequest request, ChangeConversation useCase, CancellationToken ct) =>
                (await useCase.PriorityAsync(conversationId, request, ct)).ToOk())
            .RequirePermission(Permission.HandleConversations).Produces<ConversationResponse>();
        conversations.MapPut("/{conversationId:guid}/labels", async (Guid conversationId, ChangeLabelsRequest request, ChangeConversation useCase, CancellationToken ct) =>
                (await useCase.LabelsAsync(conversationId, request, ct)).ToOk())
            .RequirePermission(Permission.HandleConversations).Produces<ConversationResponse>();
        conversations.MapPut("/{conversationId:guid}/attributes", async (Guid conversationId, ChangeAttributesRequest request, ChangeConversation useCase, CancellationToken ct) =>
                (await useCase.AttributesAsync(conversationId, request, ct)).ToOk())
            .RequirePermission(Permission.HandleConversations).Produces<ConversationResponse>();
        conversations.MapPost("/{conversationId:guid}/read", async (Guid conversationId, AgentReadRequest request, ChangeConversation useCase, CancellationToken ct) =>
                (await useCase.ReadAsync(conversationId, request, ct)).ToNoContent())
            .RequirePermission(Permission.HandleConversations);

        api.MapGet("/contacts/{contactId:guid}", async (Guid contactId, ConversationQueries queries, CancellationToken ct) =>
                (await queries.ContactAsync(contactId, ct)).ToOk())
            .WithTags("Contacts").RequirePermission(Permission.ViewConversations).Produces<ContactResponse>();
    }

    /// <summary>The agent hub accepts the app's cookie and API tokens.</summary>
    public static void MapAgentHub(this WebApplication app) =>
        app.MapHub<AgentHub>(AgentHub.Path).RequireAuthorization(new AuthorizeAttribute
        {
            AuthenticationSchemes = $"{Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme},{ApiTokenAuthenticationHandler.SchemeName}",
        });
}
