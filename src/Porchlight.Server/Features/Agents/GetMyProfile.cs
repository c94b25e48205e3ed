using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed class GetMyProfile(AppDbContext db, ActingAgent actor)
{
    public async Task<Result<AgentResponse>> HandleAsync(CancellationToken cancellationToken) =>
        AgentResponse.From(await db.Agents.AsNoTracking().SingleAsync(a => a.Id == actor.AgentId, cancellationToken));
}
