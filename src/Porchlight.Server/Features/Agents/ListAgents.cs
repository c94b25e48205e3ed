using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed class ListAgents(AppDbContext db, ActingAgent actor, AgentPresence presence)
{
    public async Task<Result<Page<AgentResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var connected = (await presence.ConnectedAgentsAsync(actor.WorkspaceId)).ToHashSet();
        return await db.Agents.AsNoTracking().Include(a => a.CustomRole).ToPageAsync(page, a => a.Id, a => AgentResponse.From(a, connected.Contains(a.Id)), cancellationToken);
    }
}

public static class AgentLists
{
    /// <summary>The workspace's agents (the first page of the largest size: a workspace's team fits), for a page's names and pickers.</summary>
    public static async Task<IReadOnlyList<AgentResponse>> AgentsAsync(this Components.UseCaseRunner runner) =>
        (await runner.RunAsync<ListAgents, Result<Page<AgentResponse>>>(q => q.HandleAsync(new PageRequest(PageRequest.MaxLimit, null), CancellationToken.None))).Value?.Items ?? [];
}
