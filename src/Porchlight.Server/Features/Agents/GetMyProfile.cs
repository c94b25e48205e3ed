using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed class GetMyProfile(AppDbContext db, ActingAgent actor, AgentPresence presence)
{
    public async Task<Result<AgentResponse>> HandleAsync(CancellationToken cancellationToken)
    {
        var agent = await db.Agents.AsNoTracking().Include(a => a.CustomRole).SingleAsync(a => a.Id == actor.AgentId, cancellationToken);
        return AgentResponse.From(agent, await presence.IsConnectedAsync(agent.WorkspaceId, agent.Id));
    }
}
