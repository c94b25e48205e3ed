using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed class GetAgent(AppDbContext db, AgentPresence presence)
{
    public async Task<Result<AgentResponse>> HandleAsync(Guid agentId, CancellationToken cancellationToken) =>
        await db.Agents.AsNoTracking().Include(a => a.CustomRole).FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken) is { } agent
            ? AgentResponse.From(agent, await presence.IsConnectedAsync(agent.WorkspaceId, agent.Id))
            : Failure.NotFound("Agent");
}
