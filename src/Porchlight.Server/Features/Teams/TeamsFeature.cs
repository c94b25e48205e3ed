using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Teams;

public static class TeamsFeature
{
    public static IServiceCollection AddTeams(this IServiceCollection services) => services
        .AddScoped<ListTeams>()
        .AddScoped<GetTeam>()
        .AddScoped<CreateTeam>()
        .AddScoped<UpdateTeam>()
        .AddScoped<DeleteTeam>()
        .AddScoped<ChangeTeamMembership>();

    public static void MapTeams(this RouteGroupBuilder api)
    {
        var teams = api.MapGroup("/teams").WithTags("Teams");
        teams.MapGet("/", async (int? limit, string? cursor, ListTeams useCase, CancellationToken ct) =>
                await ProblemResults.PagedAsync(limit, cursor, page => useCase.HandleAsync(page, ct)))
            .RequirePermission(Permission.ViewWorkspace).Produces<Page<TeamResponse>>();
        teams.MapGet("/{teamId:guid}", async (Guid teamId, GetTeam useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(teamId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<TeamResponse>();
        teams.MapPost("/", async (SaveTeamRequest request, CreateTeam useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(request, ct)).ToHttp(t => TypedResults.Created($"/api/v1/teams/{t.Id}", t)))
            .RequirePermission(Permission.ManageTeams).Produces<TeamResponse>(StatusCodes.Status201Created);
        teams.MapPut("/{teamId:guid}", async (Guid teamId, SaveTeamRequest request, UpdateTeam useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(teamId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageTeams).Produces<TeamResponse>();
        teams.MapDelete("/{teamId:guid}", async (Guid teamId, DeleteTeam useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(teamId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageTeams);
        teams.MapPut("/{teamId:guid}/members/{agentId:guid}", async (Guid teamId, Guid agentId, ChangeTeamMembership useCase, CancellationToken ct) =>
                (await useCase.AddAsync(teamId, agentId, ct)).ToOk())
            .RequirePermission(Permission.ManageTeams).Produces<TeamResponse>();
        teams.MapDelete("/{teamId:guid}/members/{agentId:guid}", async (Guid teamId, Guid agentId, ChangeTeamMembership useCase, CancellationToken ct) =>
                (await useCase.RemoveAsync(teamId, agentId, ct)).ToOk())
            .RequirePermission(Permission.ManageTeams).Produces<TeamResponse>();
    }
}
