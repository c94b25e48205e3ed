using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Campaigns;

public static class CampaignsFeature
{
    public static IServiceCollection AddCampaigns(this IServiceCollection services) => services
        .AddSingleton<CampaignCache>()
        .AddSingleton<ProactiveOffers>()
        .AddScoped<CampaignCommands>()
        .AddScoped<SendProactiveMessage>()
        .AddScoped<VisitorProactiveMessages>();

    public static void MapCampaigns(this RouteGroupBuilder api)
    {
        var campaigns = api.MapGroup("/campaigns").WithTags("Campaigns");
        campaigns.MapGet("/", async (Guid? inboxId, CampaignCommands useCase, CancellationToken ct) => (await useCase.ListAsync(inboxId, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<List<CampaignResponse>>();
        campaigns.MapGet("/{campaignId:guid}", async (Guid campaignId, CampaignCommands useCase, CancellationToken ct) => (await useCase.GetAsync(campaignId, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<CampaignResponse>();
        campaigns.MapPost("/", async (CampaignRequest request, CampaignCommands useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(c => TypedResults.Created($"/api/v1/campaigns/{c.Id}", c)))
            .RequirePermission(Permission.ManageInboxes).Produces<CampaignResponse>(StatusCodes.Status201Created);
        campaigns.MapPut("/{campaignId:guid}", async (Guid campaignId, CampaignRequest request, CampaignCommands useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(campaignId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageInboxes).Produces<CampaignResponse>();
        campaigns.MapDelete("/{campaignId:guid}", async (Guid campaignId, CampaignCommands useCase, CancellationToken ct) =>
                (await useCase.DeleteAsync(campaignId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageInboxes);

        api.MapPost("/visitors/{visitorKey}/messages", async (string visitorKey, ProactiveMessageRequest request, SendProactiveMessage useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(visitorKey, request, ct)).ToHttp(m => TypedResults.Created($"/api/v1/visitors/{visitorKey}/messages/{m.Id}", m)))
            .WithTags("Visitors").RequirePermission(Permission.HandleConversations).Produces<ProactiveMessageResponse>(StatusCodes.Status201Created);
    }
}
