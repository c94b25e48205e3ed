using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Teams;

public sealed class GetTeam(AppDbContext db)
{
    public async Task<Result<TeamResponse>> HandleAsync(Guid teamId, CancellationToken cancellationToken) =>
        await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken) is { } team
            ? TeamResponse.From(team)
            : Failure.NotFound("Team");
}
