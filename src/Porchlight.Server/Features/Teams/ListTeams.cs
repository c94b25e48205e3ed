using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Teams;

public sealed class ListTeams(AppDbContext db)
{
    public async Task<Result<Page<TeamResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.Teams.AsNoTracking().ToPageAsync(page, t => t.Id, TeamResponse.From, cancellationToken);
}
