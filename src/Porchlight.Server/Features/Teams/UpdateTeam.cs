using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Teams;

public sealed class UpdateTeam(AppDbContext db, Routing.AssignmentAuthority routing)
{
    public async Task<Result<TeamResponse>> HandleAsync(Guid teamId, SaveTeamRequest request, CancellationToken cancellationToken)
    {
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null)
        {
            return Failure.NotFound("Team");
        }

        if (await TeamRules.ValidateAsync(db, request, teamId, cancellationToken) is { } failure)
        {
            return failure;
        }

        team.Change(request.Name!, request.Description ?? "", request.Strategy ?? team.Strategy, request.PreferPreviousAgent ?? team.PreferPreviousAgent);
        if (await TeamRules.SaveAsync(db, request.Name!, teamId, cancellationToken) is { } raced)
        {
            return raced;
        }

        routing.TeamMayAssign(team.WorkspaceId, team.Id); // A new strategy may assign what waits.
        return TeamResponse.From(team);
    }
}
