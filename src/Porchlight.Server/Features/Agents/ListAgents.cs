using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed class ListAgents(AppDbContext db, ActingAgent actor, AgentPresence presence)
{
    public async Task<Result<Page<AgentResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var connected = (await presence.ConnectedAgentsAsync(actor.WorkspaceId)).ToHashSet();
        return await db.Agents.AsNoTracking().ToPageAsync(page, a => a.Id, a => AgentResponse.From(a, connected.Contains(a.Id)), cancellationToken);
    }
}
