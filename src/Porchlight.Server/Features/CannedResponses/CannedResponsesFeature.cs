using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.CannedResponses;

public static class CannedResponsesFeature
{
    public static IServiceCollection AddCannedResponses(this IServiceCollection services) => services
        .AddScoped<ListCannedResponses>()
        .AddScoped<GetCannedResponse>()
        .AddScoped<CreateCannedResponse>()
        .AddScoped<UpdateCannedResponse>()
        .AddScoped<DeleteCannedResponse>()
        .AddScoped<RenderCannedResponse>()
        .AddScoped<CannedResponseSearch>(sp => sp.GetRequiredService<Data.AppDbContext>() is var db && db.Database.IsSqlite()
            ? new SqliteCannedResponseSearch(db, sp.GetRequiredService<ActingAgent>())
            : new PostgresCannedResponseSearch(db, sp.GetRequiredService<ActingAgent>()));

    public static void MapCannedResponses(this RouteGroupBuilder api)
    {
        var responses = api.MapGroup("/canned-responses").WithTags("Canned responses");
        responses.MapGet("/", async (string? search, string? folder, int? limit, ListCannedResponses useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(search, folder, limit, ct)).ToOk())
            .RequirePermission(Permission.ViewConversations).Produces<List<CannedResponseResponse>>();
        responses.MapGet("/{cannedResponseId:guid}", async (Guid cannedResponseId, GetCannedResponse useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(cannedResponseId, ct)).ToOk())
            .RequirePermission(Permission.ViewConversations).Produces<CannedResponseResponse>();
        responses.MapPost("/", async (CreateCannedResponseRequest request, CreateCannedResponse useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(request, ct)).ToHttp(c => TypedResults.Created($"/api/v1/canned-responses/{c.Id}", c)))
            .RequirePermission(Permission.HandleConversations).Produces<CannedResponseResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict);
        responses.MapPut("/{cannedResponseId:guid}", async (Guid cannedResponseId, UpdateCannedResponseRequest request, UpdateCannedResponse useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(cannedResponseId, request, ct)).ToOk())
            .RequirePermission(Permission.HandleConversations).Produces<CannedResponseResponse>().ProducesProblem(StatusCodes.Status409Conflict);
        responses.MapDelete("/{cannedResponseId:guid}", async (Guid cannedResponseId, DeleteCannedResponse useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(cannedResponseId, ct)).ToNoContent())
            .RequirePermission(Permission.HandleConversations);

        api.MapPost("/conversations/{conversationId:guid}/canned-responses/{cannedResponseId:guid}/render",
                async (Guid conversationId, Guid cannedResponseId, RenderCannedResponse useCase, CancellationToken ct) =>
                    (await useCase.HandleAsync(conversationId, cannedResponseId, ct)).ToOk())
            .WithTags("Canned responses").RequirePermission(Permission.HandleConversations).Produces<RenderedCannedResponse>();
    }
}
