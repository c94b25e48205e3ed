using System.Collections.Concurrent;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// Which agents have a connection open (an Inbox page or an agent-hub connection), counted per connection so a
/// second tab closing does not take an agent offline. This is the state the scale-out switch moves to Redis:
/// a shared store must also forget the connections of a node that died (per-node entries that expire).
/// </summary>
public interface IPresenceStore
{
    /// <returns>True when this is the agent's first open connection: they just came online.</returns>
    ValueTask<bool> AddConnectionAsync(Guid workspaceId, Guid agentId);

    /// <returns>True when this was the agent's last open connection: they just went offline.</returns>
    ValueTask<bool> RemoveConnectionAsync(Guid workspaceId, Guid agentId);

    ValueTask<bool> IsConnectedAsync(Guid workspaceId, Guid agentId);

    ValueTask<IReadOnlyCollection<Guid>> ConnectedAgentsAsync(Guid workspaceId);

    /// <summary>The agent did something in an open app page (or connected): automatic away counts from here.</summary>
    ValueTask MarkActiveAsync(Guid workspaceId, Guid agentId, DateTime at);

    /// <summary>When each connected agent of the workspace was last active.</summary>
    ValueTask<IReadOnlyDictionary<Guid, DateTime>> LastActiveAsync(Guid workspaceId);
}

/// <summary>The presence store of a single node.</summary>
public sealed class InMemoryPresenceStore : IPresenceStore
{
    private readonly ConcurrentDictionary<(Guid WorkspaceId, Guid AgentId), int> _connections = new();
    private readonly ConcurrentDictionary<(Guid WorkspaceId, Guid AgentId), DateTime> _lastActive = new();

    public ValueTask<bool> AddConnectionAsync(Guid workspaceId, Guid agentId) =>
        ValueTask.FromResult(_connections.AddOrUpdate((workspaceId, agentId), 1, (_, count) => count + 1) == 1);

    public ValueTask<bool> RemoveConnectionAsync(Guid workspaceId, Guid agentId)
    {
        var key = (workspaceId, agentId);
        while (_connections.TryGetValue(key, out var count))
        {
            if (count > 1 ? _connections.TryUpdate(key, count - 1, count) : _connections.TryRemove(KeyValuePair.Create(key, count)))
            {
                if (count == 1)
                {
                    _lastActive.TryRemove(key, out _); // Gone; connecting again counts as activity.
                }

                return ValueTask.FromResult(count == 1);
            }
        }

        return ValueTask.FromResult(false);
    }

    public ValueTask<bool> IsConnectedAsync(Guid workspaceId, Guid agentId) =>
        ValueTask.FromResult(_connections.ContainsKey((workspaceId, agentId)));

    public ValueTask<IReadOnlyCollection<Guid>> ConnectedAgentsAsync(Guid workspaceId) =>
        ValueTask.FromResult<IReadOnlyCollection<Guid>>([.. _connections.Keys.Where(k => k.WorkspaceId == workspaceId).Select(k => k.AgentId)]);

    public ValueTask MarkActiveAsync(Guid workspaceId, Guid agentId, DateTime at)
    {
        _lastActive.AddOrUpdate((workspaceId, agentId), at, (_, earlier) => at > earlier ? at : earlier);
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyDictionary<Guid, DateTime>> LastActiveAsync(Guid workspaceId) =>
        ValueTask.FromResult<IReadOnlyDictionary<Guid, DateTime>>(_connections.Keys.Where(k => k.WorkspaceId == workspaceId)
            .ToDictionary(k => k.AgentId, k => _lastActive.GetValueOrDefault(k)));
}
