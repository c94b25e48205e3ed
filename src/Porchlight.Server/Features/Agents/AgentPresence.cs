using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// Agents' presence: their connections (in <see cref="IPresenceStore"/>) combined with the status they chose
/// (<see cref="Agent.Availability"/>). Teammates hear <c>PresenceChanged</c> on the agent hub and in open app
/// pages whenever it changes: on an agent's first connection, on their last disconnect, and when they choose
/// another status while connected. The widget offers live chat only while someone is Online.
/// </summary>
public sealed class AgentPresence(
    IPresenceStore store,
    IHubContext<AgentHub, IAgentClient> hub,
    LiveInboxFeed feed,
    IServiceScopeFactory scopes,
    Routing.AssignmentAuthority routing,
    AgentStatusLog statusLog,
    TimeProvider clock,
    ILogger<AgentPresence> logger)
{
    public async Task ConnectedAsync(Guid workspaceId, Guid agentId)
    {
        await ActiveAsync(workspaceId, agentId);
        if (await store.AddConnectionAsync(workspaceId, agentId))
        {
            await AnnounceAsync(workspaceId, agentId);
        }
    }

    public async Task DisconnectedAsync(Guid workspaceId, Guid agentId)
    {
        if (await store.RemoveConnectionAsync(workspaceId, agentId))
        {
            await AnnounceAsync(workspaceId, agentId);
        }
    }

    /// <summary>
    /// The node that held the agent's last connection died without a word: teammates hear the agent is offline, and
    /// the status log ends their period, now rather than when it would next look.
    /// </summary>
    public Task NodeLeftAsync(Guid workspaceId, Guid agentId) => AnnounceAsync(workspaceId, agentId);

    /// <summary>The agent used an open app page: they are at their desk, however long ago they connected.</summary>
    public ValueTask ActiveAsync(Guid workspaceId, Guid agentId) => store.MarkActiveAsync(workspaceId, agentId, clock.GetUtcNow().UtcDateTime);

    /// <summary>Called after an agent's new availability was saved: teammates hear of it while the agent is connected.</summary>
    public async Task AvailabilityChangedAsync(Guid workspaceId, Guid agentId)
    {
        if (await store.IsConnectedAsync(workspaceId, agentId))
        {
            await AnnounceAsync(workspaceId, agentId);
        }
    }

    /// <summary>
    /// Whether an active agent of the workspace is connected and Online (<see cref="Agent.PresenceWhen"/> as a query):
    /// the widget offers live chat only then. An Away agent does not count.
    /// </summary>
    public async Task<bool> AnyoneOnlineAsync(AppDbContext db, Guid workspaceId, CancellationToken cancellationToken)
    {
        var connected = await store.ConnectedAgentsAsync(workspaceId);
        return connected.Count > 0 && await db.Agents.AnyAsync(
            a => a.WorkspaceId == workspaceId && connected.Contains(a.Id) && a.IsActive && a.Availability == AgentAvailability.Online,
            cancellationToken);
    }

    public ValueTask<bool> IsConnectedAsync(Guid workspaceId, Guid agentId) => store.IsConnectedAsync(workspaceId, agentId);

    public ValueTask<IReadOnlyCollection<Guid>> ConnectedAgentsAsync(Guid workspaceId) => store.ConnectedAgentsAsync(workspaceId);

    public ValueTask<IReadOnlyDictionary<Guid, DateTime>> LastActiveAsync(Guid workspaceId) => store.LastActiveAsync(workspaceId);

    // Reads the state as it is now rather than announcing the transition: when a connect and a disconnect race,
    // the later announcement is the true one.
    private async Task AnnounceAsync(Guid workspaceId, Guid agentId)
    {
        try
        {
            var presence = PresenceStatus.Offline;
            if (await store.IsConnectedAsync(workspaceId, agentId))
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
                var agent = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Agents.AsNoTracking()
                    .FirstOrDefaultAsync(a => a.Id == agentId);
                presence = agent?.PresenceWhen(connected: true) ?? PresenceStatus.Offline;
            }

            await statusLog.RecordAsync(workspaceId, agentId, presence, CancellationToken.None);
            if (presence == PresenceStatus.Online)
            {
                routing.AgentMayTakeMore(workspaceId, agentId); // Their teams' queues may move now.
            }

            var notice = new PresenceNotice(agentId, presence);
            await hub.Clients.Group(AgentHub.WorkspaceGroup(workspaceId)).PresenceChanged(notice);
            await feed.PublishAsync(workspaceId, listener => listener.PresenceChanged(notice));
        }
#pragma warning disable CA1031 // Presence is a hint; a connection must not fail because its announcement did.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "The presence of agent {AgentId} could not be announced.", agentId);
        }
    }
}
