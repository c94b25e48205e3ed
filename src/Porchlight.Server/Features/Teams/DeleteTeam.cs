using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Teams;

public sealed class DeleteTeam(AppDbContext db)
{
    public async Task<Result<Done>> HandleAsync(Guid teamId, CancellationToken cancellationToken)
    {
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null)
        {
            return Failure.NotFound("Team");
        }

        db.Teams.Remove(team);
        await db.SaveChangesAsync(cancellationToken);
        return default(Done);
    }
}
