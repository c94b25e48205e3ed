using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public static class AgentsFeature
{
    public static IServiceCollection AddAgents(this IServiceCollection services) => services
        .AddScoped<ListAgents>()
        .AddScoped<GetAgent>()
        .AddScoped<ChangeAgent>()
        .AddScoped<CustomRoles>()
        .AddScoped<InviteAgent>()
        .AddScoped<ListInvitations>()
        .AddScoped<RevokeInvitation>()
        .AddScoped<AcceptInvitation>()
        .AddScoped<GetMyProfile>()
        .AddScoped<UpdateMyProfile>()
        .AddScoped<MyAlerts>()
        .AddScoped<ChangeMyPassword>()
        .AddScoped<MySessions>()
        .AddScoped<MyTwoFactor>()
        .AddScoped<SetMyAvailability>()
        // One node keeps presence in memory; the Redis switch (scale-out) registers a shared store instead.
        .AddSingleton<IPresenceStore, InMemoryPresenceStore>()
        .AddSingleton<AgentPresence>()
        .AddSingleton<AgentStatusLog>()
        .AddHostedService(sp => sp.GetRequiredService<AgentStatusLog>())
        .AddHostedService<AutoAway>();

    public static void MapAgents(this RouteGroupBuilder api)
    {
        var agents = api.MapGroup("/agents").WithTags("Agents");
        agents.MapGet("/", async (int? limit, string? cursor, ListAgents useCase, CancellationToken ct) =>
                await ProblemResults.PagedAsync(limit, cursor, page => useCase.HandleAsync(page, ct)))
            .RequirePermission(Permission.ViewWorkspace).Produces<Page<AgentResponse>>();
        agents.MapGet("/{agentId:guid}", async (Guid agentId, GetAgent useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(agentId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<AgentResponse>();
        agents.MapPatch("/{agentId:guid}", async (Guid agentId, ChangeAgentRequest request, ChangeAgent useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(agentId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageAgents).Produces<AgentResponse>();

        var roles = api.MapGroup("/roles").WithTags("Agents");
        roles.MapGet("/", async (CustomRoles useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .RequirePermission(Permission.ViewWorkspace).Produces<IReadOnlyList<CustomRoleView>>();
        roles.MapGet("/{roleId:guid}", async (Guid roleId, CustomRoles useCase, CancellationToken ct) => (await useCase.GetAsync(roleId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<CustomRoleView>();
        roles.MapPost("/", async (CustomRoleRequest request, CustomRoles useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(r => TypedResults.Created($"/api/v1/roles/{r.Id}", r)))
            .RequirePermission(Permission.ManageAgents).Produces<CustomRoleView>(StatusCodes.Status201Created);
        roles.MapPut("/{roleId:guid}", async (Guid roleId, CustomRoleRequest request, CustomRoles useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(roleId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageAgents).Produces<CustomRoleView>();
        roles.MapDelete("/{roleId:guid}", async (Guid roleId, CustomRoles useCase, CancellationToken ct) =>
                (await useCase.DeleteAsync(roleId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageAgents);

        var invitations = api.MapGroup("/invitations").WithTags("Agents");
        invitations.MapGet("/", async (int? limit, string? cursor, ListInvitations useCase, CancellationToken ct) =>
                await ProblemResults.PagedAsync(limit, cursor, page => useCase.HandleAsync(page, ct)))
            .RequirePermission(Permission.ManageAgents).Produces<Page<InvitationResponse>>();
        invitations.MapPost("/", async (InviteAgentRequest request, InviteAgent useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(request, ct)).ToHttp(i => TypedResults.Created($"/api/v1/invitations/{i.Id}", i)))
            .RequirePermission(Permission.ManageAgents).Produces<InvitationResponse>(StatusCodes.Status201Created);
        invitations.MapDelete("/{invitationId:guid}", async (Guid invitationId, RevokeInvitation useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(invitationId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageAgents);

        var me = api.MapGroup("/me").WithTags("Profile");
        me.MapGet("/", async (GetMyProfile useCase, CancellationToken ct) => (await useCase.HandleAsync(ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<AgentResponse>();
        me.MapPatch("/", async (UpdateProfileRequest request, UpdateMyProfile useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ManageOwnProfile).Produces<AgentResponse>();
        me.MapPut("/availability", async (SetAvailabilityRequest request, SetMyAvailability useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ManageOwnProfile).Produces<AgentResponse>();
        me.MapGet("/alerts", async (MyAlerts useCase, CancellationToken ct) => (await useCase.GetAsync(ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<AlertsResponse>();
        me.MapPut("/alerts", async (SetAlertsRequest request, MyAlerts useCase, CancellationToken ct) =>
                (await useCase.SetAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ManageOwnProfile).Produces<AlertsResponse>();
        me.MapPost("/password", async (ChangePasswordRequest request, ChangeMyPassword useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(request, ct)).ToNoContent())
            .RequirePermission(Permission.ManageOwnProfile);
        // The browsers signed in as the caller (the app's cookie sessions; API tokens are listed under /tokens).
        me.MapGet("/sessions", async (MySessions useCase, CancellationToken ct) => (await useCase.ListAsync(ct)).ToOk())
            .RequirePermission(Permission.ManageOwnProfile).Produces<IReadOnlyList<SessionResponse>>();
        me.MapDelete("/sessions/{sessionId:guid}", async (Guid sessionId, MySessions useCase, CancellationToken ct) =>
                (await useCase.EndAsync(sessionId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageOwnProfile);
        // Every session but the one making the call: with an API token, every session.
        me.MapDelete("/sessions", async (MySessions useCase, CancellationToken ct) => (await useCase.EndOthersAsync(ct)).ToOk())
            .RequirePermission(Permission.ManageOwnProfile).Produces<EndedSessionsResponse>();
    }
}
