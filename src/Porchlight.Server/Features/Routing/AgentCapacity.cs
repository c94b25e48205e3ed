using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;

namespace Porchlight.Server.Features.Routing;

/// <summary>An agent's active conversations of one channel against their cap in it.</summary>
public sealed record AgentLoad(Guid AgentId, string Name, int Active, int Cap, bool Available)
{
    public bool HasRoom => Active < Cap;

    public string Describe() => $"{Active}/{Cap} active";
}

/// <summary>
/// Reads an agent's load where it decides an assignment: inside the deciding transaction, after locking the
/// agent's row, so two assignments to one agent (from two teams, two nodes, or a person and the queue) are
/// decided one after the other, and the second sees the first. This is what keeps every cap.
/// </summary>
public sealed class AgentCapacity(AppDbContext db)
{
    /// <summary>Locks the agent (until the transaction ends) and reads their load in <paramref name="channel"/>; null for an unknown agent.</summary>
    public async Task<AgentLoad?> LockAndReadAsync(Guid agentId, RoutingChannel channel, CancellationToken cancellationToken)
    {
        await RowLocks.LockAsync<Agent>(db, agentId, cancellationToken);
        var agent = await db.Agents.AsNoTracking().Where(a => a.Id == agentId)
            .Select(a => new { a.DisplayName, a.IsActive, a.Availability, a.Caps, a.WorkspaceId }).FirstOrDefaultAsync(cancellationToken);
        if (agent is null)
        {
            return null;
        }

        var workspaceCaps = await db.Workspaces.AsNoTracking().Where(w => w.Id == agent.WorkspaceId).Select(w => w.Caps).FirstAsync(cancellationToken);
        var origins = OriginsOf(channel);
        var active = await db.Conversations.AcrossInboxes().CountAsync(
            c => c.AssigneeId == agentId && (c.Status == ConversationStatus.Open || c.Status == ConversationStatus.Pending) && origins.Contains(c.Origin),
            cancellationToken);
        return new AgentLoad(
            agentId,
            agent.DisplayName,
            active,
            ConcurrencyCaps.Effective(agent.Caps, workspaceCaps, channel),
            agent.IsActive && agent.Availability == AgentAvailability.Online);
    }

    /// <summary>Active conversations per agent and channel, for those of <paramref name="agentIds"/> who have any.</summary>
    public async Task<Dictionary<(Guid AgentId, RoutingChannel Channel), int>> ReadLoadsAsync(IReadOnlyCollection<Guid> agentIds, CancellationToken cancellationToken)
    {
        var counts = await db.Conversations.AcrossInboxes().AsNoTracking()
            .Where(c => c.AssigneeId != null && agentIds.Contains(c.AssigneeId.Value)
                && (c.Status == ConversationStatus.Open || c.Status == ConversationStatus.Pending))
            .GroupBy(c => new { c.AssigneeId, c.Origin })
            .Select(g => new { g.Key.AssigneeId, g.Key.Origin, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return counts
            .GroupBy(c => (c.AssigneeId!.Value, ConcurrencyCaps.ChannelOf(c.Origin)))
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
    }

    public static ConversationOrigin[] OriginsOf(RoutingChannel channel) =>
        [.. Enum.GetValues<ConversationOrigin>().Where(o => ConcurrencyCaps.ChannelOf(o) == channel)];
}
