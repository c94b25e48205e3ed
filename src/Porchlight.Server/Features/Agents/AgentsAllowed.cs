using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// The active agents whose role allows a permission: who is told of an escalation, a switched-off webhook, a weekly
/// digest. Roles are checked here, in the application, since the built-in roles' permissions are code, not data.
/// </summary>
public static class AgentsAllowed
{
    public static async Task<List<Agent>> ToAsync(IQueryable<Agent> agents, Permission permission, CancellationToken cancellationToken) =>
        (await agents.AsNoTracking().Include(a => a.CustomRole).Where(a => a.IsActive).ToListAsync(cancellationToken)).FindAll(a => a.Holds(permission));
}
