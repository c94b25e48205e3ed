using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Teams;

/// <summary>
/// A team's name, description, assignment strategy (LeastLoaded when left out) and whether a returning contact goes
/// to their previous agent first (off when left out; on update, left out means unchanged).
/// </summary>
public sealed record SaveTeamRequest(string? Name, string? Description, Routing.AssignmentStrategy? Strategy = null, bool? PreferPreviousAgent = null);

public sealed class CreateTeam(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<TeamResponse>> HandleAsync(SaveTeamRequest request, CancellationToken cancellationToken)
    {
        if (await TeamRules.ValidateAsync(db, request, exceptTeamId: null, cancellationToken) is { } failure)
        {
            return failure;
        }

        var team = Team.Create(actor.WorkspaceId, request.Name!, request.Description ?? "", request.Strategy ?? Routing.AssignmentStrategy.LeastLoaded, clock.GetUtcNow().UtcDateTime);
        team.Change(team.Name, team.Description, team.Strategy, request.PreferPreviousAgent ?? false);
        db.Teams.Add(team);
        if (await TeamRules.SaveAsync(db, request.Name!, exceptTeamId: null, cancellationToken) is { } raced)
        {
            return raced;
        }

        return TeamResponse.From(team);
    }
}
