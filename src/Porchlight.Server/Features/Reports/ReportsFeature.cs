using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Reports;

public static class ReportsFeature
{
    public static IServiceCollection AddReports(this IServiceCollection services) => services
        .AddScoped<MeasureConversation>();

    public static void MapReports(this RouteGroupBuilder api) =>
        api.MapGet("/conversations/{conversationId:guid}/measures", async (Guid conversationId, MeasureConversation useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(conversationId, ct)).ToOk())
            .WithTags("Reports").RequirePermission(Permission.ViewConversations).Produces<ConversationMeasuresResponse>();
}
