using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Surveys;

public static class SurveysFeature
{
    public static IServiceCollection AddSurveys(this IServiceCollection services) => services
        .AddScoped<SurveyForms>()
        .AddScoped<VisitorSurveys>();

    public static void MapSurveys(this RouteGroupBuilder api)
    {
        api.MapGet("/inboxes/{inboxId:guid}/survey", async (Guid inboxId, SurveyForms useCase, CancellationToken ct) => (await useCase.GetSettingsAsync(inboxId, ct)).ToOk())
            .WithTags("Surveys").RequirePermission(Permission.ViewWorkspace).Produces<SurveySettingsResponse>();
        api.MapPut("/inboxes/{inboxId:guid}/survey", async (Guid inboxId, SurveySettingsRequest request, SurveyForms useCase, CancellationToken ct) =>
                (await useCase.SaveSettingsAsync(inboxId, request, ct)).ToOk())
            .WithTags("Surveys").RequirePermission(Permission.ManageInboxes).Produces<SurveySettingsResponse>();
        api.MapGet("/conversations/{conversationId:guid}/survey", async (Guid conversationId, SurveyForms useCase, CancellationToken ct) =>
                (await useCase.GetAsync(conversationId, ct)).ToOk())
            .WithTags("Surveys").RequirePermission(Permission.ViewConversations).Produces<SurveyResponseView>();
        api.MapPost("/conversations/{conversationId:guid}/survey", async (Guid conversationId, SurveyForms useCase, CancellationToken ct) =>
                (await useCase.RequestAsync(conversationId, ct)).ToOk())
            .WithTags("Surveys").RequirePermission(Permission.HandleConversations).Produces<SurveyResponseView>();
    }
}
