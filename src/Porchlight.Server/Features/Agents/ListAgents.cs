using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed class ListAgents(AppDbContext db)
{
    public async Task<Result<Page<AgentResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.Agents.AsNoTracking().ToPageAsync(page, a => a.Id, AgentResponse.From, cancellationToken);
}
