using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

public static class InboxesFeature
{
    public static IServiceCollection AddInboxes(this IServiceCollection services) => services
        .AddScoped<ListInboxes>()
        .AddScoped<GetInbox>()
        .AddScoped<CreateInbox>()
        .AddScoped<UpdateInbox>()
        .AddScoped<DeleteInbox>()
        .AddScoped<ShowIdentitySecret>()
        .AddScoped<RotateIdentitySecret>()
        .AddScoped<InboxMembers>()
        .AddSingleton<InboxAudience>()
        .AddSingleton<IdentitySecrets>();

    public static void MapInboxes(this RouteGroupBuilder api)
    {
        var inboxes = api.MapGroup("/inboxes").WithTags("Inboxes");
        inboxes.MapGet("/", async (int? limit, string? cursor, ListInboxes useCase, CancellationToken ct) =>
                await ProblemResults.PagedAsync(limit, cursor, page => useCase.HandleAsync(page, ct)))
            .RequirePermission(Permission.ViewWorkspace).Produces<Page<InboxResponse>>();
        inboxes.MapGet("/{inboxId:guid}", async (Guid inboxId, GetInbox useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(inboxId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<InboxResponse>();
        inboxes.MapPost("/", async (CreateInboxRequest request, CreateInbox useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(request, ct)).ToHttp(i => TypedResults.Created($"/api/v1/inboxes/{i.Id}", i)))
            .RequirePermission(Permission.ManageInboxes).Produces<InboxResponse>(StatusCodes.Status201Created);
        inboxes.MapPut("/{inboxId:guid}", async (Guid inboxId, UpdateInboxRequest request, UpdateInbox useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(inboxId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageInboxes).Produces<InboxResponse>();
        inboxes.MapDelete("/{inboxId:guid}", async (Guid inboxId, DeleteInbox useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(inboxId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageInboxes);
        inboxes.MapGet("/{inboxId:guid}/identity-secret", async (Guid inboxId, ShowIdentitySecret useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(inboxId, ct)).ToOk())
            .RequirePermission(Permission.ManageInboxes).Produces<IdentitySecretResponse>();
        inboxes.MapPost("/{inboxId:guid}/identity-secret", async (Guid inboxId, RotateIdentitySecret useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(inboxId, ct)).ToOk())
            .RequirePermission(Permission.ManageInboxes).Produces<IdentitySecretResponse>();
        inboxes.MapGet("/{inboxId:guid}/members", async (Guid inboxId, InboxMembers useCase, CancellationToken ct) =>
                (await useCase.ListAsync(inboxId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<List<InboxMemberResponse>>();
        inboxes.MapPut("/{inboxId:guid}/members", async (Guid inboxId, SetInboxMembersRequest request, InboxMembers useCase, CancellationToken ct) =>
                (await useCase.SetAsync(inboxId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageInboxes).Produces<List<InboxMemberResponse>>();
    }
}
