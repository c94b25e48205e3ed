using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Teams;

/// <summary>A team's name, description and assignment strategy (LeastLoaded when left out).</summary>
public sealed record SaveTeamRequest(string? Name, string? Description, Routing.AssignmentStrategy? Strategy = null);

public sealed class CreateTeam(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<TeamResponse>> HandleAsync(SaveTeamRequest request, CancellationToken cancellationToken)
    {
        if (await TeamRules.ValidateAsync(db, request, exceptTeamId: null, cancellationToken) is { } failure)
        {
            return failure;
        }

        var team = Team.Create(actor.WorkspaceId, request.Name!, request.Description ?? "", request.Strategy ?? Routing.AssignmentStrategy.LeastLoaded, clock.GetUtcNow().UtcDateTime);
        db.Teams.Add(team);
        if (await TeamRules.SaveAsync(db, request.Name!, exceptTeamId: null, cancellationToken) is { } raced)
        {
            return raced;
        }

        return TeamResponse.From(team);
    }
}
