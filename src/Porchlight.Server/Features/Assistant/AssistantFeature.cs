using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Assistant;

public static class AssistantFeature
{
    public static IServiceCollection AddAssistant(this IServiceCollection services) => services
        .AddScoped<Intents>()
        .AddSingleton<IntentClassifiers>()
        .AddSingleton<IntentTraining>()
        .AddHostedService(sp => sp.GetRequiredService<IntentTraining>());

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
    }
}
