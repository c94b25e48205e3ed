using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Assistant;

public static class AssistantFeature
{
    public static IServiceCollection AddAssistant(this IServiceCollection services) => services
        .AddScoped<Intents>()
        .AddSingleton<IntentClassifiers>()
        .AddSingleton<IntentTraining>()
        .AddHostedService(sp => sp.GetRequiredService<IntentTraining>())
        .AddScoped<AssistantSessions>()
        .AddScoped<AssistantFlows>()
        .AddScoped<AssistantTurns>()
        .AddScoped<AssistantBots>()
        .AddScoped<StalledConversations>()
        .AddSingleton<AssistantTimeouts>()
        .AddHostedService(sp => sp.GetRequiredService<AssistantTimeouts>())
        .AddDomainEventHandler<ContactMessageReceived, AnswerAsAssistant>()
        .AddDomainEventHandler<ConversationAssigned, StepBackForPeople>()
        .AddDomainEventHandler<ReplyGiven, StepBackForPeople>();

    public static void MapAssistant(this RouteGroupBuilder api)
    {
        var intents = api.MapGroup("/assistant/intents").WithTags("Assistant");
        intents.MapGet("/", async (Intents useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .RequirePermission(Permission.ViewConversations).Produces<List<IntentResponse>>();
        intents.MapPost("/", async (IntentRequest request, Intents useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(i => TypedResults.Created($"/api/v1/assistant/intents/{i.Id}", i)))
            .RequirePermission(Permission.ManageAssistant).Produces<IntentResponse>(StatusCodes.Status201Created);
        intents.MapPut("/{intentId:guid}", async (Guid intentId, IntentRequest request, Intents useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(intentId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageAssistant).Produces<IntentResponse>();
        intents.MapDelete("/{intentId:guid}", async (Guid intentId, Intents useCase, CancellationToken ct) => (await useCase.DeleteAsync(intentId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageAssistant);
        intents.MapGet("/model", async (Intents useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ModelAsync(ct)))
            .RequirePermission(Permission.ViewConversations).Produces<IntentModelResponse>();
        intents.MapPost("/classify", async (ClassifyRequest request, Intents useCase, CancellationToken ct) => (await useCase.ClassifyAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ViewConversations).Produces<ClassifyResponse>();

        var flows = api.MapGroup("/inboxes/{inboxId:guid}/assistant").WithTags("Assistant");
        flows.MapGet("", async (Guid inboxId, AssistantFlows useCase, CancellationToken ct) => (await useCase.GetAsync(inboxId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<AssistantFlowResponse>();
        flows.MapPut("", async (Guid inboxId, AssistantFlowRequest request, AssistantFlows useCase, CancellationToken ct) => (await useCase.SaveAsync(inboxId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageAssistant).Produces<AssistantFlowResponse>();
        flows.MapGet("/versions", async (Guid inboxId, AssistantFlows useCase, CancellationToken ct) => (await useCase.VersionsAsync(inboxId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<List<FlowVersionResponse>>();
        flows.MapPost("/preview", async (Guid inboxId, FlowPreviewRequest request, AssistantFlows useCase, CancellationToken ct) => (await useCase.PreviewAsync(inboxId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageAssistant).Produces<FlowPreviewResponse>();
        api.MapGet("/conversations/{conversationId:guid}/assistant", async (Guid conversationId, AssistantFlows useCase, CancellationToken ct) =>
                (await useCase.SessionAsync(conversationId, ct)).ToOk())
            .WithTags("Assistant").RequirePermission(Permission.ViewConversations).Produces<AssistantSessionResponse>();

        // An external bot's answers, for conversations it attends (the inbox's assistant names its webhook). Not for every
        // agent: a resolve counts as contained, which only the workspace's assistant may claim.
        var bot = api.MapGroup("/conversations/{conversationId:guid}/assistant").WithTags("Assistant");
        bot.MapPost("/messages", async (Guid conversationId, BotMessageRequest request, AssistantBots useCase, CancellationToken ct) =>
                (await useCase.SendAsync(conversationId, request, ct)).ToHttp(m => TypedResults.Created($"/api/v1/conversations/{conversationId}/messages/{m.Id}", m)))
            .RequirePermission(Permission.ManageAssistant).Produces<Conversations.MessageResponse>(StatusCodes.Status201Created);
        bot.MapPost("/handover", async (Guid conversationId, BotHandoverRequest request, AssistantBots useCase, CancellationToken ct) =>
                (await useCase.HandOverAsync(conversationId, request, ct)).ToNoContent())
            .RequirePermission(Permission.ManageAssistant);
        bot.MapPost("/resolve", async (Guid conversationId, BotResolveRequest request, AssistantBots useCase, CancellationToken ct) =>
                (await useCase.ResolveAsync(conversationId, request, ct)).ToNoContent())
            .RequirePermission(Permission.ManageAssistant);
    }
}
