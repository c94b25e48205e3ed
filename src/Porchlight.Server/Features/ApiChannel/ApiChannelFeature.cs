using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.ApiChannel;

/// <summary>
/// API inboxes: an integration (an SMS gateway, a mobile app's backend, another messaging platform) speaks for its
/// customers through the REST API, and hears the agents' replies as <c>message.created</c> webhooks (docs/api.md#api-channel).
/// </summary>
public static class ApiChannelFeature
{
    public static IServiceCollection AddApiChannel(this IServiceCollection services) => services
        .AddScoped<StartApiConversation>()
        .AddScoped<PostContactMessage>()
        .AddScoped<MarkReadByApiContact>();

    public static void MapApiChannel(this RouteGroupBuilder api)
    {
        api.MapPost("/inboxes/{inboxId:guid}/conversations", async (Guid inboxId, StartApiConversationRequest request, StartApiConversation useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(inboxId, request, ct)).ToCreatedOrOk(started => $"/api/v1/conversations/{started.Conversation.Id}"))
            .WithTags("API channel").RequirePermission(Permission.RelayContactMessages)
            .Produces<ChannelConversationStarted>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/conversations/{conversationId:guid}/contact-messages", async (Guid conversationId, ContactMessageRequest request, PostContactMessage useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(conversationId, request, ct)).ToCreatedOrOk(m => $"/api/v1/conversations/{conversationId}/messages?after={m.Sequence - 1}&limit=1"))
            .WithTags("API channel").RequirePermission(Permission.RelayContactMessages)
            .Produces<MessageResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/conversations/{conversationId:guid}/contact-read", async (Guid conversationId, ContactReadRequest request, MarkReadByApiContact useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(conversationId, request, ct)).ToNoContent())
            .WithTags("API channel").RequirePermission(Permission.RelayContactMessages).ProducesProblem(StatusCodes.Status409Conflict);
    }
}
